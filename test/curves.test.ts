import { describe, expect, it } from 'vitest';
import { label, ticks } from '../web/src/curves.js';

describe("the playground's loss chart axes", () => {
  it('tick labels fit the margin: thousands as k, tiny losses in exponent form, none as a long decimal', () => {
    expect([1500, 20000, 0.25, 3, 0].map(label)).toEqual(['1.5k', '20k', '0.25', '3', '0']);
    expect([2e-4, 1e-6].map(label)).toEqual(['2e-4', '1e-6']);
    for (const t of ticks(0, 1e-6)) expect(label(t).length).toBeLessThanOrEqual(6);
  });

  it('ticks fall on round steps inside the range', () => {
    expect(ticks(0, 1)).toEqual([0, 0.5, 1]);
    expect(ticks(0, 95, 4, 1)).toEqual([0, 50]);
    expect(ticks(0, 1e-6)).toEqual([0, 5e-7, 1e-6]);
    expect(ticks(5, 5)).toEqual([5]);
  });
});
