import type { Rng } from '../random.js';
import { kmeans, squaredDistance } from './kmeans.js';

export interface TypicalOptions {
  /** Neighbours in a typicality estimate (TypiClust's K = 20), fewer in a smaller cluster. */
  neighbours?: number;
  /** Clusters with fewer members are passed over: they hold outliers (TypiClust skips clusters below 5). */
  minClusterSize?: number;
}

/**
 * TypiClust's selection (Hacohen et al. 2022): k-means with one cluster per label wanted, then from each
 * cluster, largest first, its most typical member, typicality = 1 / mean distance to the K nearest other
 * members. A typical example sits in the dense middle of its mode, so it teaches the most about its
 * neighbours; a cluster smaller than `minClusterSize` is a handful of oddities and is passed over. If too
 * few clusters are big enough, the next most typical members of the big clusters fill the budget, and only
 * a pool with too few members in big clusters falls back to the small ones. Rows of `z` are examples.
 */
export function selectTypical(z: Float64Array, dim: number, k: number, rng: Rng, opts: TypicalOptions = {}) {
  const n = z.length / dim;
  const { assign } = kmeans(z, dim, k, rng);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) members[assign[i]].push(i);
  const minSize = opts.minClusterSize ?? Math.min(5, Math.max(1, Math.floor(n / (2 * k))));
  // largest cluster first; ties by index so the order is deterministic
  const order = [...members.keys()].sort((a, b) => members[b].length - members[a].length || a - b);
  const big = order.filter((c) => members[c].length >= minSize);
  const small = order.filter((c) => members[c].length < minSize && members[c].length > 0);
  const ranked = new Map<number, number[]>();
  const byTypicality = (c: number) => {
    if (!ranked.has(c)) ranked.set(c, rankByTypicality(z, dim, members[c], opts.neighbours ?? 20));
    return ranked.get(c)!;
  };
  const chosen: number[] = [];
  for (const tier of [big, small]) {
    for (let round = 0; chosen.length < k; round++) {
      const open = tier.filter((c) => members[c].length > round);
      if (!open.length) break;
      for (const c of open) {
        if (chosen.length < k) chosen.push(byTypicality(c)[round]);
      }
    }
  }
  return chosen;
}

/** The rows of one cluster, most typical first (ties by row index). */
export function rankByTypicality(z: Float64Array, dim: number, rows: number[], neighbours: number): number[] {
  const m = rows.length;
  const kNear = Math.min(neighbours, m - 1);
  if (kNear < 1) return rows.slice();
  const typicality = rows.map((i) => {
    const d = rows.filter((j) => j !== i).map((j) => Math.sqrt(squaredDistance(z, i, z, j, dim)));
    d.sort((a, b) => a - b);
    let sum = 0;
    for (let t = 0; t < kNear; t++) sum += d[t];
    return 1 / (sum / kNear + 1e-12);
  });
  return [...rows.keys()]
    .sort((a, b) => typicality[b] - typicality[a] || rows[a] - rows[b])
    .map((t) => rows[t]);
}
