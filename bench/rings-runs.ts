/**
 * What the rings benches share: one run of a method (or of an ablated objective) on the default demo
 * settings, measured the way the demo measures it, and the summary of a column over seeds.
 */
import { fakesInGap } from '../src/eval/fakes-in-gap.js';
import { makeToyData, makeToyTrainer, type ToyData } from '../src/experiments/toy.js';
import { makeTrainer } from '../src/experiments/make-trainer.js';
import { toyPreset } from '../src/experiments/presets.js';
import type { Objective } from '../src/objectives/objective.js';
import type { MethodName } from '../src/train/methods.js';
import { TOY_DEFAULTS } from '../src/experiments/toy.js';
import { seedStats } from '../src/util/stats.js';

export interface RingsRun {
  seed: number;
  /** Absent for the plain GAN, which does not classify. */
  testAccuracy?: number;
  /** Fraction of 500 generated points in the gap between the rings (GAN methods only). */
  fakesInGap?: number;
  seconds: number;
}

/** Trains `method` (or `objective(data)` in its place) for the demo's 1500 steps on one seed. */
export function ringsRun(
  method: MethodName,
  seed: number,
  objective?: (data: ToyData) => Objective,
): RingsRun {
  const data = makeToyData({ seed });
  const trainer = objective
    ? makeTrainer(method, toyPreset(TOY_DEFAULTS.hidden), data.split, { seed, objective: objective(data) })
    : makeToyTrainer(method, data, { seed });
  try {
    const t0 = performance.now();
    for (let s = 0; s < TOY_DEFAULTS.steps; s++) trainer.step();
    const seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
    const acc = trainer.objective.usesLabels
      ? { testAccuracy: trainer.evaluate(data.test.x, data.test.y) }
      : {};
    const gap = trainer.generator ? { fakesInGap: fakesInGap(trainer.sample(500)) } : {};
    return { seed, ...acc, ...gap, seconds };
  } finally {
    trainer.dispose();
  }
}

/**
 * Labels each seed's labeled set cost: the balanced toy split reads labels until every class has its share, so
 * 4 labeled points per ring can take more than 8 reads. A function of the data and the seed alone.
 */
export function ringsLabelsRead(seeds: number[]): Record<number, number> {
  return Object.fromEntries(seeds.map((seed) => [seed, makeToyData({ seed }).record.labelsRead ?? 0]));
}

export interface ColumnSummary {
  mean: number;
  /** Sample standard deviation (n − 1) and standard error; null with one seed. */
  sd: number | null;
  se: number | null;
  min: number;
  max: number;
}

export function summarize(xs: number[]): ColumnSummary {
  // sample SD (n − 1) and standard error, as every summary states them
  const { mean, sd, se } = seedStats(xs);
  const r = (x: number | null) => (x === null ? null : Number(x.toFixed(4)));
  return { mean: r(mean)!, sd: r(sd), se: r(se), min: r(Math.min(...xs))!, max: r(Math.max(...xs))! };
}
