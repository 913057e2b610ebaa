import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { SemiganError, UsageError } from '../errors.js';
import { decodeCached, pixelRows, type Decoded, type DecodeOptions } from './image-decode.js';
import { Rng } from '../random.js';
import { contentHash, withoutTestImages } from './test-overlap.js';
import type { Dataset } from './dataset.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'];

/** The decoder's options (cache folder, warnings, progress) and how a folder becomes a dataset. */
export interface ImageFolderOptions extends DecodeOptions {
  /** Images are resized (centre crop, Lanczos) to size×size; default 64. */
  size?: number;
  /** Share of each class held out as the test set when the folder has no train/ and test/ parts. */
  testFraction?: number;
  seed?: number;
  /** Images with these file contents (sha256 → the test id) are dropped, with one warning naming them. */
  exclude?: Map<string, string>;
}

export interface ImageDataset extends Dataset {
  /** File paths relative to the dataset root, one per example (the example ids). */
  readonly ids: string[];
}

export interface ImageFolderData {
  train: ImageDataset;
  test: ImageDataset;
  /** Images that could not be decoded (relative paths), skipped. */
  skipped: string[];
  /** true when the decoded pixels came from the cache. */
  cached: boolean;
  /** sha256 of each test file's bytes → its id: what no training image may be. */
  testContent: Map<string, string>;
}

const isImage = (name: string) => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
export const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const visible = (name: string) => !name.startsWith('.');

/** Class folders of a directory: visible subfolders, sorted, so class indices are stable. */
export function classFolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => visible(n) && isDir(join(dir, n)))
    .sort();
}

export function listImages(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => visible(n) && isImage(n) && statSync(join(dir, n)).isFile())
    .sort();
}

interface Layout {
  root: string;
  classNames: string[];
  /** per part: files as [relative path, class index] */
  parts: { train: [string, number][]; test?: [string, number][] };
}

/** `dir/<class>/*` or `dir/train/<class>/*` + `dir/test/<class>/*`. */
export function imageFolderLayout(dir: string): Layout {
  const root = resolve(dir);
  if (!isDir(root))
    throw new UsageError(
      existsSync(root)
        ? `image folder ${dir} is a file: give images: a folder with one subfolder per class`
        : `image folder ${dir} does not exist`,
    );
  const split = isDir(join(root, 'train')) && isDir(join(root, 'test'));
  const scan = (base: string, classNames: string[]): [string, number][] =>
    classNames.flatMap((c, k) => {
      const files = isDir(join(base, c)) ? listImages(join(base, c)) : [];
      if (!files.length) {
        throw new UsageError(`class folder ${join(base, c)} has no images (${IMAGE_EXTENSIONS.join(' ')})`);
      }
      return files.map((f) => [relative(root, join(base, c, f)), k] as [string, number]);
    });
  const classNames = classFolders(split ? join(root, 'train') : root);
  if (classNames.length < 2) {
    throw new UsageError(
      `image folder ${dir} needs one subfolder per class (at least two), e.g. ${dir}/cat/*.jpg and ${dir}/dog/*.jpg`,
    );
  }
  if (!split) return { root, classNames, parts: { train: scan(root, classNames) } };
  const testClasses = classFolders(join(root, 'test'));
  if (testClasses.join('/') !== classNames.join('/')) {
    throw new UsageError(
      `${dir}/train and ${dir}/test have different class folders (${classNames.join(', ')} vs ${testClasses.join(', ')})`,
    );
  }
  return {
    root,
    classNames,
    parts: { train: scan(join(root, 'train'), classNames), test: scan(join(root, 'test'), classNames) },
  };
}

/**
 * A folder of images with no labels at all (any layout, searched recursively), as extra unlabeled data.
 * Its examples never get a label field, so no code path can read one.
 */
export async function loadUnlabeledFolder(
  dir: string,
  opts: ImageFolderOptions = {},
): Promise<{ x: Float32Array; ids: string[]; skipped: string[] }> {
  const root = resolve(dir);
  if (!isDir(root)) throw new UsageError(`unlabeled image folder ${dir} does not exist`);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      if (!visible(n)) continue;
      const p = join(d, n);
      if (isDir(p)) walk(p);
      else if (isImage(n)) files.push(relative(root, p));
    }
  };
  walk(root);
  if (!files.length)
    throw new UsageError(`unlabeled image folder ${dir} has no images (${IMAGE_EXTENSIONS.join(' ')})`);
  const size = opts.size ?? 64;
  const { decoded } = await decodeCached(root, files, size, opts);
  const per = size * size * 3;
  const readable = files.map((_, i) => i).filter((i) => decoded.ok[i]);
  const rows = withoutTestImages(
    readable,
    files,
    root,
    opts.exclude ?? new Map(),
    'unlabeled',
    opts.onWarning,
  );
  return {
    x: pixelRows(decoded, rows, per),
    ids: rows.map((r) => `unlabeled:${files[r]}`),
    skipped: files.filter((_, i) => !decoded.ok[i]),
  };
}

function toDataset(
  name: string,
  rows: number[],
  files: [string, number][],
  d: Decoded,
  size: number,
  classNames: string[],
): ImageDataset {
  return {
    name,
    featureShape: [size, size, 3],
    x: pixelRows(d, rows, size * size * 3),
    y: Int32Array.from(rows, (r) => files[r][1]),
    classNames,
    ids: rows.map((r) => files[r][0]),
  };
}

/**
 * Loads an image folder (one subfolder per class, optionally under train/ and test/), decoding each image
 * with sharp to size×size RGB in [−1, 1]. Unreadable files are skipped with a warning each, never fatal.
 * Decoded pixels are cached on disk (keyed by paths, sizes and mtimes), so a second run starts at once.
 */
export async function loadImageFolder(dir: string, opts: ImageFolderOptions = {}): Promise<ImageFolderData> {
  const size = opts.size ?? 64;
  if (!Number.isInteger(size) || size < 8 || size > 512) {
    throw new UsageError(`image size must be an integer from 8 to 512, got ${size}`);
  }
  const layout = imageFolderLayout(dir);
  const all = [...layout.parts.train, ...(layout.parts.test ?? [])];
  const files = all.map(([f]) => f);
  const { decoded, cached } = await decodeCached(layout.root, files, size, opts);
  const skipped = files.filter((_, i) => !decoded.ok[i]);
  const nTrain = layout.parts.train.length;
  let trainRows = [...Array(nTrain).keys()].filter((i) => decoded.ok[i]);
  let testRows = layout.parts.test ? [...Array(all.length - nTrain).keys()].map((i) => i + nTrain) : [];
  testRows = testRows.filter((i) => decoded.ok[i]);
  if (!layout.parts.test) {
    // a stratified, seeded hold-out so the test set never overlaps what training may see
    const frac = opts.testFraction ?? 0.2;
    const rng = new Rng(opts.seed ?? 0);
    const held = new Set<number>();
    layout.classNames.forEach((_, k) => {
      const rows = trainRows.filter((r) => all[r][1] === k);
      rng.shuffle(rows);
      rows.slice(0, Math.round(rows.length * frac)).forEach((r) => held.add(r));
    });
    testRows = trainRows.filter((r) => held.has(r));
    trainRows = trainRows.filter((r) => !held.has(r));
  }
  const testContent = new Map(testRows.map((r) => [contentHash(join(layout.root, files[r])), files[r]]));
  trainRows = withoutTestImages(trainRows, files, layout.root, testContent, 'training', opts.onWarning);
  layout.classNames.forEach((c, k) => {
    if (!trainRows.some((r) => all[r][1] === k)) {
      throw new SemiganError(`class '${c}' has no readable training images in ${dir}`);
    }
  });
  const base = basename(layout.root);
  return {
    train: toDataset(`${base}-train`, trainRows, all, decoded, size, layout.classNames),
    test: toDataset(`${base}-test`, testRows, all, decoded, size, layout.classNames),
    skipped,
    cached,
    testContent,
  };
}
