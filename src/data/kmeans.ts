import type { Rng } from '../random.js';

/** Rows of an n×dim row-major matrix grouped around k centres. */
export interface Clustering {
  centres: Float64Array;
  /** The cluster of each row. */
  assign: Int32Array;
}

/** Squared Euclidean distance between row i of a and row j of b (both `dim` wide). */
export function squaredDistance(a: Float64Array, i: number, b: Float64Array, j: number, dim: number): number {
  let s = 0;
  for (let t = 0; t < dim; t++) s += (a[i * dim + t] - b[j * dim + t]) ** 2;
  return s;
}

/** k-means: k-means++ seeding, then Lloyd iterations until no row moves (at most `iterations`). */
export function kmeans(z: Float64Array, dim: number, k: number, rng: Rng, iterations = 25): Clustering {
  const n = z.length / dim;
  const centres = seedCentres(z, dim, k, rng);
  const assign = new Int32Array(n);
  for (let it = 0; it < iterations; it++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let bc = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const dd = squaredDistance(z, i, centres, c, dim);
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
  return { centres, assign };
}

/** k-means++: each next centre drawn with probability proportional to its squared distance to the nearest. */
function seedCentres(z: Float64Array, dim: number, k: number, rng: Rng): Float64Array {
  const n = z.length / dim;
  const centres = new Float64Array(k * dim);
  const best = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  for (let c = 0; c < k; c++) {
    centres.set(z.subarray(pick * dim, (pick + 1) * dim), c * dim);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      best[i] = Math.min(best[i], squaredDistance(z, i, centres, c, dim));
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
  return centres;
}
