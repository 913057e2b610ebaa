import { UsageError } from '../errors.js';
import { Rng } from '../random.js';
import { exampleCount, type Dataset } from './dataset.js';
import { kmeans, squaredDistance } from './kmeans.js';
import type { LabelOracle } from './label-oracle.js';
import { learnedFeatures, type FeatureBudget } from './learned-features.js';
import { pixelEmbedding } from './pixel-embedding.js';
import { selectTypical } from './typical-selection.js';

export const SELECT_STRATEGIES = ['random', 'balanced', 'representative'] as const;
export type SelectStrategy = (typeof SELECT_STRATEGIES)[number];

/**
 * Raised whenever a strategy would pick otherwise from the same pool, seed and budget (e.g. new features for
 * representative selection): saved selections of an older version are then made again (compare-selection.ts).
 */
export const SELECTION_VERSION = 3;

/** What a selection strategy sees of the training pool: everything but the labels. */
export type LabelFreePool = Omit<Dataset, 'y'>;

export interface SelectOptions {
  /** Training budget of the label-free feature net (representative selection on colour photos). */
  featureBudget?: FeatureBudget;
  /** Called after each step of the label-free feature net (minutes on thousands of photos). */
  onFeatureStep?(step: number, total: number): void;
  /** Asked before each step of the feature net; true ends the selection with `Stopped`. */
  shouldStop?(): boolean;
  /** Handed the embedding representative selection clustered (a bench scores other picks in it too). */
  onEmbedding?(z: Float64Array, dim: number): void;
}

/**
 * Which training examples to label.
 * - random: a uniform sample; reads no label.
 * - balanced: n/K per class at random; reads labels (through the oracle) only to fill the classes.
 * - representative: TypiClust without any label: embed the pool (colour photos: a discriminator trained with
 *   SimCLR's contrastive objective on the pool for a fixed budget, learned-features.ts; other data: pixel
 *   PCA), k-means with one cluster per label, and the most typical member of each cluster, small clusters of
 *   outliers passed over (typical-selection.ts). The chosen examples are spread over every mode and sit in its middle.
 * Every strategy gets the pool without its labels and the oracle as the only way to one, so the oracle's log is
 * the whole truth about what selection read. `flag` names the option a user lowers when n is too many.
 */
export async function selectLabels(
  d: LabelFreePool,
  n: number,
  strategy: SelectStrategy,
  seed: number,
  oracle: LabelOracle,
  flag = '--n',
  opts: SelectOptions = {},
): Promise<number[]> {
  // strip the labels, whatever the caller passed: a strategy cannot read one but through the oracle
  const pool: LabelFreePool = {
    name: d.name,
    featureShape: d.featureShape,
    x: d.x,
    classNames: d.classNames,
  };
  const total = exampleCount(pool);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${n}`);
  if (n > total)
    throw new UsageError(`asked for ${n} labels but the data has ${total} training examples: lower ${flag}`);
  const rng = new Rng(seed);
  if (strategy === 'random') return Array.from(rng.permutation(total).slice(0, n));
  if (strategy === 'balanced') return balanced(pool, n, rng, oracle, flag);
  return representative(pool, n, rng, seed, opts);
}

function balanced(d: LabelFreePool, n: number, rng: Rng, oracle: LabelOracle, flag: string): number[] {
  const k = d.classNames.length;
  const want = d.classNames.map((_, c) => Math.floor(n / k) + (c < n % k ? 1 : 0));
  const chosen: number[][] = want.map(() => []);
  let open = want.filter((w) => w > 0).length;
  const order = rng.permutation(exampleCount(d));
  for (let j = 0; j < order.length && open > 0; j++) {
    const c = oracle.label(order[j]);
    if (chosen[c].length < want[c] && chosen[c].push(order[j]) === want[c]) open--;
  }
  want.forEach((w, c) => {
    if (chosen[c].length < w) {
      throw new UsageError(
        `class '${d.classNames[c]}' has only ${chosen[c].length} examples; ${w} wanted: lower ${flag}`,
      );
    }
  });
  return chosen.flat();
}

async function representative(
  d: LabelFreePool,
  k: number,
  rng: Rng,
  seed: number,
  opts: SelectOptions,
): Promise<number[]> {
  const { z, dim } = usesLearnedFeatures(d)
    ? await learnedFeatures(d, seed, opts.featureBudget, {
        onStep: opts.onFeatureStep,
        shouldStop: opts.shouldStop,
      })
    : pixelEmbedding(d, rng);
  opts.onEmbedding?.(z, dim);
  return selectTypical(z, dim, k, rng);
}

/** Colour photos get features learnt from them; 2-D points and greyscale digits keep pixel PCA. */
export function usesLearnedFeatures(d: LabelFreePool): boolean {
  return d.featureShape.length === 3 && d.featureShape[2] === 3;
}

/**
 * The older representative selection, kept for comparison benches: k-means on the pixel-PCA embedding and
 * the example nearest each centre (outliers included, when k-means++ gives one its own centre).
 */
export function nearestToCentres(d: LabelFreePool, k: number, seed: number): number[] {
  const rng = new Rng(seed);
  const { z, dim } = pixelEmbedding(d, rng);
  const n = exampleCount(d);
  const { centres } = kmeans(z, dim, k, rng);
  const chosen = new Set<number>();
  for (let c = 0; c < k; c++) {
    const order = [...Array(n).keys()].sort(
      (a, b) => squaredDistance(z, a, centres, c, dim) - squaredDistance(z, b, centres, c, dim),
    );
    chosen.add(order.find((i) => !chosen.has(i))!);
  }
  return [...chosen];
}
