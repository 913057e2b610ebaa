/**
 * Which 100 photos each label-selection strategy picks from the 12 000 cats-vs-dogs training photos at 64 px,
 * how long it takes, and how the picks split between the classes. The class of each pick is read from its
 * folder only here, after selection, to report; selection itself gets the pool without labels and an oracle
 * whose log must stay empty. No SSL training: what the picks are worth to a model is bench:cats-dogs' work.
 * What each learnt feature space knows of the classes is scored here, after selection, with the pool's folder
 * labels: the purity of 100 k-means clusters in it and the 20-NN accuracy of 1000 photos; and for each
 * strategy's picks, the accuracy of labelling every photo like its nearest pick (1-NN) in the representative
 * strategy's space. Near 50% on two classes: the space knows nothing of them, and typical picks in it can only
 * be as good as random ones.
 *
 *   npx tsx bench/select-labels-photos.ts   → bench/results/select-labels-photos.json
 *
 * Env: CD_DIR, SELECT_SEEDS (1), SELECT_N (100).
 */
import { existsSync, readFileSync } from 'node:fs';
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
import { DEFAULT_FEATURE_BUDGET, GAN_FEATURE_BUDGET } from '../src/data/learned-features.js';
import { kmeans } from '../src/data/kmeans.js';
import { Rng } from '../src/random.js';
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
type Strategy = (
  seed: number,
  oracle: LabelOracle,
  onEmbedding: (z: Float64Array, dim: number) => void,
) => number[] | Promise<number[]>;
const strategies: Record<string, Strategy> = {
  random: (seed, oracle) => selectLabels(pool, n, 'random' as SelectStrategy, seed, oracle),
  'pixel-pca-nearest-centre': (seed) => nearestToCentres(pool, n, seed),
  representative: (seed, oracle, onEmbedding) =>
    selectLabels(pool, n, 'representative', seed, oracle, '--n', { onEmbedding }),
  // the earlier representative features: a plain GAN's discriminator instead of SimCLR's
  'representative-gan-features': (seed, oracle, onEmbedding) =>
    selectLabels(pool, n, 'representative', seed, oracle, '--n', {
      onEmbedding,
      featureBudget: GAN_FEATURE_BUDGET,
    }),
};

/** The share of 1000 photos whose 20 nearest others are mostly of their own class: what the space knows. */
function knn20Accuracy(z: Float64Array, dim: number, y: Int32Array, rng: Rng): number {
  const queries = Array.from(rng.permutation(y.length).slice(0, 1000));
  let right = 0;
  for (const i of queries) {
    const near: [number, number][] = [];
    for (let p = 0; p < y.length; p++) {
      if (p === i) continue;
      let d = 0;
      for (let j = 0; j < dim; j++) d += (z[i * dim + j] - z[p * dim + j]) ** 2;
      near.push([d, p]);
    }
    near.sort((a, b) => a[0] - b[0]);
    if (near.slice(0, 20).filter(([, p]) => y[p] === y[i]).length > 10) right++;
  }
  return right / queries.length;
}

/** The share of the pool labelled right when each example takes the class of its nearest pick. */
function nearestPickAccuracy(z: Float64Array, dim: number, rows: number[], y: Int32Array): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let best = rows[0];
    let bestD = Infinity;
    for (const p of rows) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += (z[i * dim + j] - z[p * dim + j]) ** 2;
      if (d < bestD) [best, bestD] = [p, d];
    }
    if (y[best] === y[i]) right++;
  }
  return right / y.length;
}

/** The share of the pool in its k-means cluster's majority class, for k = the label budget. */
function clusterPurity(z: Float64Array, dim: number, k: number, y: Int32Array, rng: Rng): number {
  const { assign } = kmeans(z, dim, k, rng);
  const counts = new Map<number, Map<number, number>>();
  for (let i = 0; i < y.length; i++) {
    const c = counts.get(assign[i]) ?? new Map<number, number>();
    c.set(y[i], (c.get(y[i]) ?? 0) + 1);
    counts.set(assign[i], c);
  }
  return [...counts.values()].reduce((a, c) => a + Math.max(...c.values()), 0) / y.length;
}
const fresh: Record<string, unknown>[] = [];
for (const seed of seeds) {
  const embeddings: Record<string, { z: Float64Array; dim: number }> = {};
  const picks: Record<string, number[]> = {};
  const mine: Record<string, unknown>[] = [];
  for (const [name, select] of Object.entries(strategies)) {
    const oracle = new LabelOracle(train.y);
    const t0 = performance.now();
    const rows = await select(seed, oracle, (z, dim) => (embeddings[name] = { z, dim }));
    picks[name] = rows;
    const seconds = Math.round((performance.now() - t0) / 1000);
    // reporting only, after the selection: the folder each pick came from
    const perClass: Record<string, number> = Object.fromEntries(train.classNames.map((c) => [c, 0]));
    for (const r of rows) perClass[train.classNames[train.y[r]]]++;
    const minority = Math.min(...Object.values(perClass));
    mine.push({
      strategy: name,
      // runs of earlier calls are kept beside this call's: each names the commit that chose it
      commit: benchContext().commit,
      seed,
      seconds,
      perClass,
      minorityShare: minority / rows.length,
      labelsReadToSelect: oracle.readIndices().length,
    });
    console.log(`${name} seed ${seed}: ${JSON.stringify(perClass)} in ${seconds} s`);
  }
  // scoring only, after every selection of this seed: what each learnt space knows of the classes, and how
  // well each strategy's picks label the pool by 1-NN in the representative strategy's space
  const { z, dim } = embeddings.representative!;
  for (const run of mine) {
    const name = run.strategy as string;
    run.nearestPickAccuracy = Number(nearestPickAccuracy(z, dim, picks[name], train.y).toFixed(4));
    const own = embeddings[name];
    if (own) {
      run.kmeansPurity = Number(clusterPurity(own.z, own.dim, n, train.y, new Rng(seed + 99)).toFixed(4));
      run.knn20Accuracy = Number(knn20Accuracy(own.z, own.dim, train.y, new Rng(seed + 5)).toFixed(4));
    }
    console.log(
      `  ${name}: 1-NN from its picks ${run.nearestPickAccuracy as number}` +
        (own
          ? `, its space: purity ${run.kmeansPurity as number}, 20-NN ${run.knn20Accuracy as number}`
          : ''),
    );
  }
  fresh.push(...mine);
}
const key = (r: Record<string, unknown>) => `${r.strategy as string}/${r.seed as number}`;
const earlier = existsSync(file)
  ? ((JSON.parse(readFileSync(file, 'utf8')) as { runs: Record<string, unknown>[] }).runs ?? [])
  : [];
const runs = [...new Map([...earlier, ...fresh].map((r) => [key(r), r])).values()];
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
      ganFeatureBudget: GAN_FEATURE_BUDGET,
      note:
        'representative: SimCLR features of the photo discriminator + TypiClust typical member per k-means ' +
        "cluster; representative-gan-features: the same with a plain GAN discriminator's features (the " +
        'earlier default); pixel-pca-nearest-centre: the oldest (pixel PCA, nearest to each k-means centre). ' +
        'nearestPickAccuracy: 1-NN from the picks in the representative space; kmeansPurity and ' +
        "knn20Accuracy: of the strategy's own space (labels read after selection, to score only)",
      runs,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${file}`);
