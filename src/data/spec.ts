import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { imageFolderLayout, loadImageFolder, loadUnlabeledFolder } from './images.js';
import { loadMnistDir } from './mnist.js';
import { isToyName, makeToyDataset, TOY_DATASETS, toyClassNames, type ToyName } from './toy2d.js';

export type DataSpec =
  | { kind: 'toy'; name: ToyName }
  | { kind: 'mnist'; dir: string }
  | { kind: 'images'; dir: string; size: number; unlabeled?: string };

export const DEFAULT_IMAGE_SIZE = 64;
export const IMAGE_SIZES = [8, 16, 32, 64, 128, 256, 512];

/** `rings` | `moons` | `spirals` | `blobs` | `mnist:<dir>` | `images:<dir>[?size=N]` */
/**
 * A folder as the user typed it, `~/…` included: the shell expands `~` only at the start of a word, so in
 * `images:~/photos` it reaches semigan as is.
 */
export function expandHome(dir: string): string {
  return dir === '~' ? homedir() : dir.startsWith('~/') ? join(homedir(), dir.slice(2)) : dir;
}

export function parseDataSpec(spec: string): DataSpec {
  if (isToyName(spec)) return { kind: 'toy', name: spec };
  const m = /^mnist:(.+)$/.exec(spec);
  if (m) return { kind: 'mnist', dir: expandHome(m[1]) };
  const im = /^images:([^?]+)(?:\?(.*))?$/.exec(spec);
  if (im) {
    const query = new URLSearchParams(im[2] ?? '');
    for (const key of query.keys()) {
      if (key !== 'size' && key !== 'unlabeled') {
        throw new UsageError(`unknown option '${key}' in '${spec}' (images:<dir>?size=N&unlabeled=<dir>)`);
      }
    }
    const size = query.has('size') ? Number(query.get('size')) : DEFAULT_IMAGE_SIZE;
    // the DCGAN generator doubles a 4×4 map up to the image size
    if (!IMAGE_SIZES.includes(size)) {
      throw new UsageError(`image size in '${spec}' must be one of ${IMAGE_SIZES.join(', ')}`);
    }
    const unlabeled = query.get('unlabeled') ?? undefined;
    return {
      kind: 'images',
      dir: expandHome(im[1]),
      size,
      ...(unlabeled ? { unlabeled: expandHome(unlabeled) } : {}),
    };
  }
  throw new UsageError(
    `unknown data '${spec}' (use ${TOY_DATASETS.join(', ')}, mnist:<dir>, or images:<dir> with one folder per class)`,
  );
}

export function describeDataSpec(s: DataSpec): string {
  if (s.kind === 'toy') return s.name;
  if (s.kind === 'mnist') return `mnist:${s.dir}`;
  const q = [
    ...(s.size !== DEFAULT_IMAGE_SIZE ? [`size=${s.size}`] : []),
    ...(s.unlabeled ? [`unlabeled=${s.unlabeled}`] : []),
  ];
  return `images:${s.dir}${q.length ? `?${q.join('&')}` : ''}`;
}

/** Example shape and class names of a data spec, without loading it. */
export function shapeOf(spec: DataSpec): { featureShape: number[]; classNames: string[] } {
  if (spec.kind === 'mnist') {
    return { featureShape: [28, 28, 1], classNames: Array.from({ length: 10 }, (_, i) => String(i)) };
  }
  if (spec.kind === 'images') {
    const layout = imageFolderLayout(spec.dir);
    return { featureShape: [spec.size, spec.size, 3], classNames: layout.classNames };
  }
  return { featureShape: [2], classNames: toyClassNames(spec.name) };
}

/** The spec with a folder of extra unlabeled images (the CLI's --unlabeled), which only images:<dir> takes. */
export function withUnlabeled(spec: DataSpec, dir: string | undefined): DataSpec {
  if (dir === undefined) return spec;
  if (spec.kind !== 'images') throw new UsageError('--unlabeled applies only to images:<dir> data');
  return { ...spec, unlabeled: expandHome(dir) };
}

/** `--image-size`: the spec with images resized to px×px. */
export function withImageSize(spec: DataSpec, px: number | undefined): DataSpec {
  if (px === undefined) return spec;
  if (spec.kind !== 'images') throw new UsageError('--image-size applies only to images:<dir> data');
  if (!IMAGE_SIZES.includes(px))
    throw new UsageError(`--image-size must be one of ${IMAGE_SIZES.join(', ')}, got ${px}`);
  return { ...spec, size: px };
}

/**
 * How examples of this data enter a model: images with their value range (MNIST pixels in [0, 1] as Improved
 * GAN feeds them, photos in [−1, 1] for the tanh generator) or plain vectors (2-D points).
 */
export function inputOf(spec: DataSpec): { kind: 'image'; range: [number, number] } | { kind: 'vector' } {
  if (spec.kind === 'toy') return { kind: 'vector' };
  return { kind: 'image', range: spec.kind === 'images' ? [-1, 1] : [0, 1] };
}

export interface LoadedData {
  train: Dataset;
  test: Dataset;
  /** Image files that could not be decoded and were skipped. */
  skipped?: string[];
  /** Extra examples with no labels at all (images:<dir>?unlabeled=<dir>): unlabeled data only. */
  extraUnlabeled?: { x: Float32Array; ids: string[] };
}

export interface LoadHooks {
  onWarning?(message: string): void;
  onProgress?(done: number, total: number): void;
}

/** Toy sets: a 500-per-class pool and a fresh test set from another seed of the same distribution. */
export async function loadData(
  spec: DataSpec,
  seed: number,
  noise?: number,
  hooks: LoadHooks = {},
): Promise<LoadedData> {
  if (spec.kind === 'mnist') return loadMnistDir(spec.dir);
  if (spec.kind === 'images') {
    // the test hold-out (for folders without train/ and test/) uses a fixed seed: the same for every run
    // fail before minutes of decoding, not after
    if (spec.unlabeled && !(existsSync(spec.unlabeled) && statSync(spec.unlabeled).isDirectory())) {
      throw new UsageError(`unlabeled image folder ${spec.unlabeled} does not exist`);
    }
    const d = await loadImageFolder(spec.dir, { size: spec.size, seed: 0, ...hooks });
    const extra = spec.unlabeled
      ? await loadUnlabeledFolder(spec.unlabeled, { size: spec.size, exclude: d.testContent, ...hooks })
      : undefined;
    return {
      train: d.train,
      test: d.test,
      skipped: [...d.skipped, ...(extra?.skipped ?? [])],
      ...(extra ? { extraUnlabeled: { x: extra.x, ids: extra.ids } } : {}),
    };
  }
  return {
    train: makeToyDataset(spec.name, { perClass: 500, seed, noise }),
    test: makeToyDataset(spec.name, { perClass: 500, seed: seed + 1_000_003, noise }),
  };
}
