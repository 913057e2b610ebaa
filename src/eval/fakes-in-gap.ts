import { RINGS_GEOMETRY } from '../data/toy2d.js';

/**
 * The fraction of 2-D points in the gap between the two rings: radius between the rings and at least two
 * noise standard deviations from either (with the default geometry, 1.2 ≤ r ≤ 1.8). A complement generator
 * (Bad GAN) should put its fakes there; a good generator puts them on the rings. Undefined when there is no
 * such band (noise ≥ a quarter of the rings' distance: the rings' own jitter fills the gap) or no point to
 * count, so that a run never reports a fraction of a gap that is not there.
 */
export function fakesInGap(points: Float32Array, noise: number = RINGS_GEOMETRY.noise): number | undefined {
  const [inner, outer] = RINGS_GEOMETRY.radii;
  const lo = inner + 2 * noise;
  const hi = outer - 2 * noise;
  const n = points.length / 2;
  if (n === 0 || lo >= hi) return undefined;
  let inGap = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.hypot(points[2 * i], points[2 * i + 1]);
    if (r >= lo && r <= hi) inGap++;
  }
  return inGap / n;
}
