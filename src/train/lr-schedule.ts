/**
 * Linear learning-rate decay to zero over a span of epochs, as Bad GAN does over the last third of its run
 * (lr × min(3(1 − t/T), 1)). Counted in epochs, not in the run's length, so a run advanced in rounds (the MNIST
 * bench) or resumed with more epochs keeps one schedule.
 */
export interface LrDecay {
  /** Epoch at which the decay starts (full learning rate before it). */
  startEpoch: number;
  /** Epoch at which the learning rate would reach zero. */
  endEpoch: number;
}

/** The learning-rate multiplier for the step with 0-based index `step`; never 0, so ratios stay finite. */
export function lrDecayFactor(step: number, stepsPerEpoch: number, d: LrDecay): number {
  const span = (d.endEpoch - d.startEpoch) * stepsPerEpoch;
  const left = d.endEpoch * stepsPerEpoch - step;
  return Math.min(1, Math.max(1, left) / span);
}

/**
 * The factor to multiply the current learning rate by before running step `step`. Applied as a ratio of
 * consecutive factors, so whatever else scaled the rate (a rollback's halving) carries through, and a resumed
 * run continues from the rate saved in its checkpoint.
 */
export function lrDecayRatio(step: number, stepsPerEpoch: number, d: LrDecay): number {
  if (step === 0) return lrDecayFactor(0, stepsPerEpoch, d);
  return lrDecayFactor(step, stepsPerEpoch, d) / lrDecayFactor(step - 1, stepsPerEpoch, d);
}
