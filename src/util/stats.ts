/**
 * Spread over seeds as a reader needs it: the mean, the sample standard deviation (divided by n − 1, since the
 * mean was estimated from the same few runs) and the standard error of the mean (SD / √n). With one run there
 * is no spread to estimate: SD and SE are null, never a reassuring 0.
 */
export interface SeedStats {
  mean: number;
  sd: number | null;
  se: number | null;
  n: number;
}

export function seedStats(xs: number[]): SeedStats {
  const n = xs.length;
  if (!n) throw new Error('seedStats needs at least one value');
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: null, se: null, n };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, sd, se: sd / Math.sqrt(n), n };
}

/** Rounds a figure for a results file; null (no spread from one run) stays null. */
export function rounded(x: number | null, digits: number): number | null {
  return x === null ? null : Number(x.toFixed(digits));
}

/**
 * `mean ± SD (SE x)` in percent with one decimal: the spread of single runs and the uncertainty of the mean,
 * both from the same seeds; the bare mean when one run gives no spread.
 */
export function percentWithSpread(mean: number, sd: number | null, se?: number | null): string {
  const pct = (x: number) => (x * 100).toFixed(1);
  if (sd === null) return pct(mean);
  return `${pct(mean)} ± ${pct(sd)}${se == null ? '' : ` (SE ${pct(se)})`}`;
}

/** A difference in accuracy as points with its spread, signed: `+12.9 ± 5.6 (SE 3.2)`. */
export function gainWithSpread(g: { mean: number; sd: number | null; se?: number | null }): string {
  return `${g.mean >= 0 ? '+' : ''}${percentWithSpread(g.mean, g.sd, g.se)}`;
}
