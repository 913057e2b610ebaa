import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../errors.js';
import { Rng } from '../random.js';
import { exampleCount, featureSize, type Dataset } from './dataset.js';
import type { LabelOracle } from './label-oracle.js';

export const SELECT_STRATEGIES = ['random', 'balanced', 'representative'] as const;
export type SelectStrategy = (typeof SELECT_STRATEGIES)[number];

/** What a selection strategy sees of the training pool: everything but the labels. */
export type LabelFreePool = Omit<Dataset, 'y'>;

/**
 * Which training examples to label.
 * - random: a uniform sample; reads no label.
 * - balanced: n/K per class at random; reads labels (through the oracle) only to fill the classes.
 * - representative: covers the data without reading any label: k-means (k = n, k-means++ seeding) on a
 *   pixel-PCA embedding, then the example nearest each centre. Clusters follow the density of the data, so
 *   the chosen examples are typical ones, spread over every mode, not outliers.
 * Every strategy gets the pool without its labels and the oracle as the only way to one, so the oracle's log is
 * the whole truth about what selection read. `flag` names the option a user lowers when n is too many.
 */
export function selectLabels(
  d: LabelFreePool,
  n: number,
  strategy: SelectStrategy,
  seed: number,
  oracle: LabelOracle,
  flag = '--n',
): number[] {
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
  return representative(pool, n, rng);
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

/** Features for clustering: images average-pooled to at most 16×16, then PCA to ≤ 32 dimensions. */
export function embed(d: LabelFreePool, rng: Rng, dims = 32): { z: Float64Array; dim: number } {
  const pooled = pool(d);
  const D = pooled.dim;
  if (D <= dims) return { z: Float64Array.from(pooled.x), dim: D };
  const m = dims;
  const n = exampleCount(d);
  const z = tf.tidy(() => {
    const x = tf.tensor2d(pooled.x, [n, D]);
    const xc = tf.sub(x, tf.mean(x, 0));
    // subspace iteration on the covariance as Xᵀ(X q): the D×D matrix is never formed
    const q = Float32Array.from({ length: D * m }, () => rng.normal());
    orthonormalize(q, D, m);
    for (let it = 0; it < 12; it++) {
      const next = tf.tidy(() => tf.matMul(xc, tf.matMul(xc, tf.tensor2d(q, [D, m])), true, false));
      q.set(next.dataSync());
      next.dispose();
      orthonormalize(q, D, m);
    }
    return tf.matMul(xc, tf.tensor2d(q, [D, m]));
  });
  const values = Float64Array.from(z.dataSync());
  z.dispose();
  return { z: values, dim: m };
}

function pool(d: LabelFreePool): { x: Float32Array; dim: number } {
  const n = exampleCount(d);
  if (d.featureShape.length !== 3) return { x: d.x, dim: featureSize(d.featureShape) };
  const [h, w, c] = d.featureShape;
  const f = Math.max(1, Math.ceil(Math.max(h, w) / 16));
  const ph = Math.ceil(h / f);
  const pw = Math.ceil(w / f);
  const dim = ph * pw * c;
  const out = new Float32Array(n * dim);
  const size = h * w * c;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) {
          out[i * dim + ((Math.floor(y / f) * pw + Math.floor(x / f)) * c + k)] +=
            d.x[i * size + (y * w + x) * c + k];
        }
      }
    }
  }
  return { x: out, dim };
}

/** Modified Gram–Schmidt on the m columns of a D×m row-major matrix. */
function orthonormalize(q: Float32Array, D: number, m: number): void {
  for (let c = 0; c < m; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let j = 0; j < D; j++) dot += q[j * m + c] * q[j * m + p];
      for (let j = 0; j < D; j++) q[j * m + c] -= dot * q[j * m + p];
    }
    let norm = 0;
    for (let j = 0; j < D; j++) norm += q[j * m + c] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < D; j++) q[j * m + c] /= norm;
  }
}

function representative(d: LabelFreePool, k: number, rng: Rng): number[] {
  const n = exampleCount(d);
  const { z, dim } = embed(d, rng);
  const dist = (i: number, centres: Float64Array, c: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (z[i * dim + j] - centres[c * dim + j]) ** 2;
    return s;
  };
  // k-means++ seeding
  const centres = new Float64Array(k * dim);
  const best = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  for (let c = 0; c < k; c++) {
    centres.set(z.subarray(pick * dim, (pick + 1) * dim), c * dim);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      best[i] = Math.min(best[i], dist(i, centres, c));
      sum += best[i];
    }
    let r = rng.uniform() * sum;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= best[i];
      if (r <= 0) {
        pick = i;
        break;
      }
    }
  }
  // Lloyd iterations
  const assign = new Int32Array(n);
  for (let it = 0; it < 25; it++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let bc = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const dd = dist(i, centres, c);
        if (dd < bd) {
          bd = dd;
          bc = c;
        }
      }
      if (assign[i] !== bc || it === 0) moved++;
      assign[i] = bc;
    }
    const sums = new Float64Array(k * dim);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      counts[assign[i]]++;
      for (let j = 0; j < dim; j++) sums[assign[i] * dim + j] += z[i * dim + j];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c]) for (let j = 0; j < dim; j++) centres[c * dim + j] = sums[c * dim + j] / counts[c];
    }
    if (moved === 0) break;
  }
  // the example nearest each centre, each chosen once
  const chosen = new Set<number>();
  for (let c = 0; c < k; c++) {
    const order = [...Array(n).keys()].sort((a, b) => dist(a, centres, c) - dist(b, centres, c));
    chosen.add(order.find((i) => !chosen.has(i))!);
  }
  return [...chosen];
}
