import { UsageError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { imageFolderLayout, loadImageFolder } from './images.js';
import { loadMnistDir } from './mnist.js';
import { isToyName, makeToyDataset, TOY_DATASETS, toyClassNames, type ToyName } from './toy2d.js';

export type DataSpec =
  | { kind: 'toy'; name: ToyName }
  | { kind: 'mnist'; dir: string }
  | { kind: 'images'; dir: string; size: number };

export const DEFAULT_IMAGE_SIZE = 64;

/** `rings` | `moons` | `spirals` | `blobs` | `mnist:<dir>` | `images:<dir>[?size=N]` */
export function parseDataSpec(spec: string): DataSpec {
  if (isToyName(spec)) return { kind: 'toy', name: spec };
  const m = /^mnist:(.+)$/.exec(spec);
  if (m) return { kind: 'mnist', dir: m[1] };
  const im = /^images:(.+?)(?:\?size=([^&]*))?$/.exec(spec);
  if (im) {
    const size = im[2] === undefined ? DEFAULT_IMAGE_SIZE : Number(im[2]);
    if (!Number.isInteger(size) || size < 8 || size > 512) {
      throw new UsageError(`image size in '${spec}' must be an integer from 8 to 512`);
    }
    return { kind: 'images', dir: im[1], size };
  }
  throw new UsageError(
    `unknown data '${spec}' (use ${TOY_DATASETS.join(', ')}, mnist:<dir>, or images:<dir> with one folder per class)`,
  );
}

export function describeDataSpec(s: DataSpec): string {
  if (s.kind === 'toy') return s.name;
  if (s.kind === 'mnist') return `mnist:${s.dir}`;
  return s.size === DEFAULT_IMAGE_SIZE ? `images:${s.dir}` : `images:${s.dir}?size=${s.size}`;
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

export interface LoadedData {
  train: Dataset;
  test: Dataset;
  /** Image files that could not be decoded and were skipped. */
  skipped?: string[];
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
    const d = await loadImageFolder(spec.dir, { size: spec.size, seed: 0, ...hooks });
    return { train: d.train, test: d.test, skipped: d.skipped };
  }
  return {
    train: makeToyDataset(spec.name, { perClass: 500, seed, noise }),
    test: makeToyDataset(spec.name, { perClass: 500, seed: seed + 1_000_003, noise }),
  };
}
