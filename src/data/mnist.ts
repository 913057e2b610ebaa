import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SemiganError, UsageError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { readIdx } from './idx.js';

export interface TrainTest {
  train: Dataset;
  test: Dataset;
}

/** File names tried for each part, as distributed by LeCun and by common mirrors. */
function candidates(part: 'train' | 't10k', kind: 'images' | 'labels'): string[] {
  const n = kind === 'images' ? 3 : 1;
  const stems = [`${part}-${kind}-idx${n}-ubyte`, `${part}-${kind}.idx${n}-ubyte`];
  return stems.flatMap((s) => [`${s}.gz`, s]);
}

function findPart(dir: string, part: 'train' | 't10k', kind: 'images' | 'labels'): string {
  for (const name of candidates(part, kind)) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new SemiganError(
    `${dir} has no ${candidates(part, kind)[0]} (nor ${candidates(part, kind).slice(1).join(', ')})`,
  );
}

function loadPair(dir: string, part: 'train' | 't10k', name: string, classNames: string[]): Dataset {
  const imagesPath = findPart(dir, part, 'images');
  const labelsPath = findPart(dir, part, 'labels');
  const images = readIdx(imagesPath, 3);
  const labels = readIdx(labelsPath, 1);
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) {
    throw new SemiganError(`${labelsPath} has ${labels.dims[0]} labels but ${imagesPath} has ${n} images`);
  }
  const y = Int32Array.from(labels.data);
  const bad = y.findIndex((c) => c >= classNames.length);
  if (bad >= 0)
    throw new SemiganError(`${labelsPath}: label ${y[bad]} at index ${bad} is not a digit class 0–9`);
  // Improved GAN feeds pixels in [0, 1]
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return { name, featureShape: [h, w, 1], x, y, classNames };
}

/**
 * Any MNIST-format directory (MNIST, Fashion-MNIST, KMNIST…): the four IDX files, gzipped or raw.
 * Class names are the digits; Fashion-MNIST users see 0–9 as well.
 */
export function loadMnistDir(dir: string): TrainTest {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`MNIST directory ${dir} does not exist`);
  const classNames = Array.from({ length: 10 }, (_, i) => String(i));
  return {
    train: loadPair(dir, 'train', 'mnist-train', classNames),
    test: loadPair(dir, 't10k', 'mnist-test', classNames),
  };
}
