import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** sha256 of a file's bytes: the same image under two names is one image. */
export function contentHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Rows whose file has the same bytes as a test image, dropped: a test image never enters training, labeled or
 * not. One warning line names them (the first five and a count).
 */
export function withoutTestImages(
  rows: number[],
  files: string[],
  root: string,
  test: Map<string, string>,
  what: string,
  onWarning?: (message: string) => void,
): number[] {
  if (!test.size) return rows;
  const dropped: string[] = [];
  const kept = rows.filter((r) => {
    const twin = test.get(contentHash(join(root, files[r])));
    if (twin !== undefined) dropped.push(`${files[r]} (= ${twin})`);
    return twin === undefined;
  });
  if (dropped.length) {
    const more = dropped.length > 5 ? ` and ${dropped.length - 5} more` : '';
    onWarning?.(
      `dropped ${dropped.length} ${what} image${dropped.length === 1 ? '' : 's'} that the test set holds ` +
        `(same bytes): ${dropped.slice(0, 5).join(', ')}${more}`,
    );
  }
  return kept;
}
