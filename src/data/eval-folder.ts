import { join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { decodeCached, pixelRows } from './image-decode.js';
import { classFolders, IMAGE_EXTENSIONS, isDir, listImages } from './images.js';
import type { ImageFolderOptions } from './images.js';
import type { Dataset } from './dataset.js';

/**
 * A folder of labeled photos to score a trained model on, all of it: `dir/<class>/*`, or the `test/` part of a
 * `train/` + `test/` layout. Its class folders are matched to the model's classes by name, so a folder may hold
 * only some of them (every photo a cat, say); a folder the model does not know is refused.
 */
export async function loadEvalFolder(
  dir: string,
  modelClasses: string[],
  opts: ImageFolderOptions = {},
): Promise<{ data: Dataset; part: string }> {
  const root = resolve(dir);
  if (!isDir(root)) throw new UsageError(`image folder ${dir} does not exist`);
  const base = isDir(join(root, 'test')) ? join(root, 'test') : root;
  const classes = classFolders(base);
  const unknown = classes.filter((c) => !modelClasses.includes(c));
  if (unknown.length || !classes.length) {
    throw new UsageError(
      `${relative(process.cwd(), base) || '.'} needs class folders named as the model's classes ` +
        `(${modelClasses.join(', ')})${unknown.length ? `, not ${unknown.join(', ')}` : ''}`,
    );
  }
  const files = classes.flatMap((c) =>
    listImages(join(base, c)).map(
      (f) => [relative(root, join(base, c, f)), modelClasses.indexOf(c)] as const,
    ),
  );
  if (!files.length) throw new UsageError(`${dir} has no images (${IMAGE_EXTENSIONS.join(' ')})`);
  const size = opts.size ?? 64;
  const { decoded } = await decodeCached(
    root,
    files.map(([f]) => f),
    size,
    opts,
  );
  const rows = files.map((_, i) => i).filter((i) => decoded.ok[i]);
  return {
    data: {
      name: `${dir}-eval`,
      featureShape: [size, size, 3],
      x: pixelRows(decoded, rows, size * size * 3),
      y: Int32Array.from(rows, (r) => files[r][1]),
      classNames: modelClasses,
    },
    part: base === root ? `all ${rows.length} images` : `the ${rows.length} images of test/`,
  };
}
