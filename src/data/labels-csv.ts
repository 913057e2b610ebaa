import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { describeFsError } from '../util/fs.js';

/** One labeled example as a labels CSV names it: the example id (a file path for images) and its class. */
export interface LabeledExample {
  id: string;
  label: string;
}

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** `file,label` rows; a blank label leaves it for a person to fill in. */
export function formatLabelsCsv(rows: { id: string; label?: string }[]): string {
  return ['file,label', ...rows.map((r) => `${quote(r.id)},${quote(r.label ?? '')}`)].join('\n') + '\n';
}

function parseLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/**
 * Reads a labels CSV (`file,label`, header optional) and checks it against the data: every file must be a
 * training example and every label one of the class names. Errors name the file and line; a file of the test
 * set (`testIds`) is named as such, since a folder without train/ and test/ holds its test images back.
 */
export function readLabelsCsv(
  path: string,
  ids: string[],
  classNames: string[],
  testIds: string[] = [],
): LabeledExample[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read labels CSV ${path}: ${describeFsError(e)}`);
  }
  const known = new Set(ids);
  const held = new Set(testIds);
  const classes = new Set(classNames);
  const seen = new Set<string>();
  const out: LabeledExample[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cells = parseLine(line);
    if (i === 0 && cells[0].toLowerCase() === 'file') return;
    const where = `${path}:${i + 1}`;
    if (cells.length !== 2) throw new UsageError(`${where}: expected 'file,label', got '${line}'`);
    const [id, label] = cells;
    if (!known.has(id) && held.has(id)) {
      throw new UsageError(
        `${where}: '${id}' is in the test set, which training never sees (a folder without train/ and test/ ` +
          `holds back 20% of each class): label another image`,
      );
    }
    if (!known.has(id)) {
      throw new UsageError(
        `${where}: '${id}' is not a training example of this data (ids look like '${ids[0]}')`,
      );
    }
    if (!label) throw new UsageError(`${where}: '${id}' has no label; fill it in or remove the line`);
    if (!classes.has(label)) {
      throw new UsageError(`${where}: unknown class '${label}' (classes: ${classNames.join(', ')})`);
    }
    if (seen.has(id)) throw new UsageError(`${where}: '${id}' is listed twice`);
    seen.add(id);
    out.push({ id, label });
  });
  if (!out.length) throw new UsageError(`labels CSV ${path} names no labeled examples`);
  const missing = classNames.filter((c) => !out.some((e) => e.label === c));
  if (missing.length)
    throw new UsageError(`labels CSV ${path} has no example of class ${missing.join(', ')}`);
  return out;
}
