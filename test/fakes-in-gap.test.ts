import { describe, expect, it } from 'vitest';
import { makeToyDataset } from '../src/data/toy2d.js';
import { fakesInGap } from '../src/eval/fakes-in-gap.js';

const atRadii = (...radii: number[]) => {
  const pts = new Float32Array(radii.length * 2);
  radii.forEach((r, i) => {
    const a = i * 2.399; // spread over angles: only the radius may matter
    [pts[2 * i], pts[2 * i + 1]] = [r * Math.cos(a), r * Math.sin(a)];
  });
  return pts;
};

describe('fakesInGap: the fraction of points between the rings, two noise SDs clear of both', () => {
  it('counts radii in [1.2, 1.8] with the default noise 0.1, edges included', () => {
    expect(fakesInGap(atRadii(1.5, 1.2001, 1.7999, 1.0, 2.0, 1.19, 1.81, 0.0, 3.0, 1.4))).toBeCloseTo(0.4);
    // edges that floats hold exactly (noise 0.125: the gap is [1.25, 1.75]; the first point lies on the x axis)
    expect([1.25, 1.75].map((r) => fakesInGap(atRadii(r), 0.125))).toEqual([1, 1]);
    expect([1.2499, 1.7501].map((r) => fakesInGap(atRadii(r), 0.125))).toEqual([0, 0]);
    expect(fakesInGap(atRadii(1.3, 1.6))).toBe(1);
    expect(fakesInGap(new Float32Array(0))).toBeUndefined();
  });

  it('narrows the gap with the noise, and real ring points are almost never in it', () => {
    expect(fakesInGap(atRadii(1.3, 1.5), 0.2)).toBe(0.5); // gap [1.4, 1.6]
    expect(fakesInGap(atRadii(1.5), 0.3)).toBeUndefined(); // the rings' jitter fills the whole gap: no band
    const rings = makeToyDataset('rings', { perClass: 2000, seed: 3 });
    // each ring's points lie within 2 SDs of it in radius ≈ 95% of the time, and half of the rest fall outside
    expect(fakesInGap(rings.x)).toBeLessThan(0.04);
  });
});
