/**
 * Which 100 photos each label-selection strategy picks from the 12 000 cats-vs-dogs training photos at 64 px,
 * how long it takes, and how the picks split between the classes. The class of each pick is read from its
 * folder only here, after selection, to report; selection itself gets the pool without labels and an oracle
 * whose log must stay empty. No SSL training: what the picks are worth to a model is bench:cats-dogs' work.
 *
 *   npx tsx bench/select-labels-photos.ts   → bench/results/select-labels-photos.json
 *
 * Env: CD_DIR, SELECT_SEEDS (1), SELECT_N (100).
 */
import { basename, join } from 'node:path';
import { backendAcceleration, useBackend } from '../src/backend.js';
import { LabelOracle } from '../src/data/label-oracle.js';
import { loadData, parseDataSpec } from '../src/data/spec.js';
import {
  nearestToCentres,
  selectLabels,
  type LabelFreePool,
  type SelectStrategy,
} from '../src/data/select-labels.js';
import { DEFAULT_FEATURE_BUDGET } from '../src/data/learned-features.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext } from './machine.js';

const here = import.meta.dirname;
const dataDir = process.env.CD_DIR ?? join(here, '..', '..', 'shared', 'data', 'cats-dogs');
const seeds = (process.env.SELECT_SEEDS ?? '1').split(',').map(Number);
const n = Number(process.env.SELECT_N ?? 100);
const size = 64;
const file = join(here, 'results', 'select-labels-photos.json');

const backend = await useBackend('wasm');
const { train } = await loadData(parseDataSpec(`images:${dataDir}?size=${size}`), 1);
const pool: LabelFreePool = {
  name: train.name,
  featureShape: train.featureShape,
  x: train.x,
  classNames: train.classNames,
};
const strategies: Record<string, (seed: number, oracle: LabelOracle) => number[]> = {
  random: (seed, oracle) => selectLabels(pool, n, 'random' as SelectStrategy, seed, oracle),
  'pixel-pca-nearest-centre': (seed) => nearestToCentres(pool, n, seed),
  representative: (seed, oracle) => selectLabels(pool, n, 'representative', seed, oracle),
};
const runs: Record<string, unknown>[] = [];
for (const seed of seeds) {
  for (const [name, select] of Object.entries(strategies)) {
    const oracle = new LabelOracle(train.y);
    const t0 = performance.now();
    const rows = select(seed, oracle);
    const seconds = Math.round((performance.now() - t0) / 1000);
    // reporting only, after the selection: the folder each pick came from
    const perClass: Record<string, number> = Object.fromEntries(train.classNames.map((c) => [c, 0]));
    for (const r of rows) perClass[train.classNames[train.y[r]]]++;
    const minority = Math.min(...Object.values(perClass));
    runs.push({
      strategy: name,
      seed,
      seconds,
      perClass,
      minorityShare: minority / rows.length,
      labelsReadToSelect: oracle.readIndices().length,
    });
    console.log(`${name} seed ${seed}: ${JSON.stringify(perClass)} in ${seconds} s`);
  }
}
writeFileAtomic(
  file,
  JSON.stringify(
    {
      bench: 'select-labels-photos',
      // the folder's name only: where the shared data sit differs between checkouts
      dataset: basename(dataDir),
      imageSize: size,
      trainExamples: train.y.length,
      labels: n,
      backend,
      acceleration: backendAcceleration(),
      ...benchContext(),
      featureBudget: DEFAULT_FEATURE_BUDGET,
      note:
        'representative: plain-GAN discriminator features + TypiClust typical member per k-means cluster; ' +
        'pixel-pca-nearest-centre: the older representative (pixel PCA, nearest to each k-means centre)',
      runs,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${file}`);
