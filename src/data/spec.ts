import { UsageError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { loadMnistDir } from './mnist.js';
import { isToyName, makeToyDataset, TOY_DATASETS, toyClassNames, type ToyName } from './toy2d.js';

export type DataSpec = { kind: 'toy'; name: ToyName } | { kind: 'mnist'; dir: string };

/** `rings` | `moons` | `spirals` | `blobs` | `mnist:<dir>` */
export function parseDataSpec(spec: string): DataSpec {
  if (isToyName(spec)) return { kind: 'toy', name: spec };
  const m = /^mnist:(.+)$/.exec(spec);
  if (m) return { kind: 'mnist', dir: m[1] };
  throw new UsageError(`unknown data '${spec}' (use ${TOY_DATASETS.join(', ')}, or mnist:<dir>)`);
}

export function describeDataSpec(s: DataSpec): string {
  return s.kind === 'toy' ? s.name : `mnist:${s.dir}`;
}

/** Example shape and class names of a data spec, without loading it. */
export function shapeOf(spec: DataSpec): { featureShape: number[]; classNames: string[] } {
  return spec.kind === 'mnist'
    ? { featureShape: [28, 28, 1], classNames: Array.from({ length: 10 }, (_, i) => String(i)) }
    : { featureShape: [2], classNames: toyClassNames(spec.name) };
}

export interface LoadedData {
  train: Dataset;
  test: Dataset;
}

/** Toy sets: a 500-per-class pool and a fresh test set from another seed of the same distribution. */
export function loadData(spec: DataSpec, seed: number, noise?: number): LoadedData {
  if (spec.kind === 'mnist') return loadMnistDir(spec.dir);
  return {
    train: makeToyDataset(spec.name, { perClass: 500, seed, noise }),
    test: makeToyDataset(spec.name, { perClass: 500, seed: seed + 1_000_003, noise }),
  };
}
