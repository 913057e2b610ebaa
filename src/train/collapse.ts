/**
 * Discriminator collapse: D wins outright (its loss near zero: it tells every fake apart) while the generator
 * loss explodes far above anything it showed while training was healthy, and both persist. Improved GAN's
 * MNIST model does this when its init or learning rate is off; the test error then freezes. NaN detection
 * does not see it: every number stays finite.
 */
export interface CollapseConfig {
  /** Consecutive steps the condition must hold (0: off). */
  steps: number;
  /** D loss below this… */
  dLossBelow: number;
  /** …while the G loss is above this multiple of its baseline (lowest slow average seen so far). */
  gLossRatio: number;
}

export const DEFAULT_COLLAPSE: CollapseConfig = { steps: 500, dLossBelow: 0.05, gLossRatio: 10 };

/** Checkpointed with the run, so a resumed run detects exactly what an uninterrupted one would. */
export interface CollapseState {
  ema: number | null;
  baseline: number | null;
  run: number;
  seen: number;
}

export function newCollapseState(): CollapseState {
  return { ema: null, baseline: null, run: 0, seen: 0 };
}

/** Feeds one step's losses; returns a description when collapse is detected (and resets the streak). */
export function observeLosses(s: CollapseState, c: CollapseConfig, d: number, g: number): string | null {
  if (c.steps <= 0 || !Number.isFinite(g) || g === 0) return null;
  s.seen++;
  s.ema = s.ema === null ? g : 0.99 * s.ema + 0.01 * g;
  // the baseline only moves while the streak is clear, so a slow collapse cannot drag it up
  if (s.seen > 200 && s.run === 0) s.baseline = Math.min(s.baseline ?? Infinity, s.ema);
  const base = Math.max(s.baseline ?? Infinity, 1e-3);
  if (d < c.dLossBelow && g > c.gLossRatio * base) s.run++;
  else s.run = 0;
  if (s.run < c.steps) return null;
  s.run = 0;
  return `discriminator collapse: D loss < ${c.dLossBelow} and G loss > ${c.gLossRatio}× its baseline ${base.toPrecision(3)} for ${c.steps} steps`;
}
