/**
 * Training failures that stay finite, so NaN detection does not see them:
 * - discriminator collapse: D wins outright (its loss near zero: it tells every fake apart) while the
 *   generator loss explodes far above anything it showed while training was healthy, and both persist.
 *   Improved GAN's MNIST model does this when its init or learning rate is off; the test error then freezes.
 * - explosion: D's loss jumps orders of magnitude above its healthy level and stays there, every number finite.
 *   Seen on cats vs dogs (32 px, K-logit + feature matching) while a later-reverted in-place Adam
 *   update left XNNPACK multiplying D's logits layer by stale weights: D's epoch-mean loss crept from 0.52 to
 *   0.82, then read 207 and 10⁷, and the classifier sat at chance for the last 58 epochs of a 100-epoch run.
 *   Without that bug the same run stays near 0.52. Kept as a safety net for any run that diverges without NaNs.
 */
export interface CollapseConfig {
  /** Consecutive steps the condition must hold (0: off). */
  steps: number;
  /** D loss below this… */
  dLossBelow: number;
  /** …while the G loss is above this multiple of its baseline (lowest slow average seen so far). */
  gLossRatio: number;
  /** Explosion: D loss above max(explodeFloor, explodeRatio × its baseline) for explodeSteps steps. */
  explodeRatio: number;
  explodeFloor: number;
  explodeSteps: number;
}

export const DEFAULT_COLLAPSE: CollapseConfig = {
  steps: 500,
  dLossBelow: 0.05,
  gLossRatio: 10,
  explodeRatio: 20,
  explodeFloor: 10,
  explodeSteps: 20,
};

/** Checkpointed with the run, so a resumed run detects exactly what an uninterrupted one would. */
export interface CollapseState {
  ema: number | null;
  baseline: number | null;
  run: number;
  seen: number;
  /** D loss's slow average, baseline and explosion streak (absent in older checkpoints). */
  dEma?: number | null;
  dBaseline?: number | null;
  dRun?: number;
}

export function newCollapseState(): CollapseState {
  return { ema: null, baseline: null, run: 0, seen: 0, dEma: null, dBaseline: null, dRun: 0 };
}

/** Streaks start again (after a rollback). */
export function clearStreaks(s: CollapseState): CollapseState {
  return { ...s, run: 0, dRun: 0 };
}

/**
 * Feeds one step's losses (monitoring is off when c.steps is 0); returns a description when a failure is
 * detected, and resets its streak.
 */
export function observeLosses(s: CollapseState, c: CollapseConfig, d: number, g: number): string | null {
  if (c.steps <= 0) return null;
  s.seen++;
  const exploded = observeExplosion(s, c, d);
  if (exploded) return exploded;
  if (!Number.isFinite(g) || g === 0) return null;
  s.ema = s.ema === null ? g : 0.99 * s.ema + 0.01 * g;
  // the baseline only moves while the streak is clear, so a slow collapse cannot drag it up
  if (s.seen > 200 && s.run === 0) s.baseline = Math.min(s.baseline ?? Infinity, s.ema);
  const base = Math.max(s.baseline ?? Infinity, 1e-3);
  // One step's losses are noisy: a collapsed MNIST run (seed 3) still read D ≥ 0.05 or a small G
  // loss every few hundred steps, and a streak that any such step broke never reached 500. So a step counts
  // towards the streak on its own losses, but only the smoothed losses' recovery ends it.
  if (d < c.dLossBelow && g > c.gLossRatio * base) s.run++;
  else if ((s.dEma ?? d) >= c.dLossBelow || s.ema <= c.gLossRatio * base) s.run = 0;
  if (s.run < c.steps) return null;
  s.run = 0;
  return `discriminator collapse: D loss < ${c.dLossBelow} and G loss > ${c.gLossRatio}× its baseline ${base.toPrecision(3)} for ${c.steps} steps`;
}

/**
 * Whether training looks well clear of both failures: no streak open, D's smoothed loss at least twice the
 * collapse line and G's within half the collapse ratio of its baseline. A rollback returns to the last
 * checkpoint taken in such a state, not merely the last one: a collapse builds over hundreds of steps, and
 * the checkpoints written while it built already hold the collapsed networks.
 */
export function looksHealthy(s: CollapseState, c: CollapseConfig): boolean {
  if (c.steps <= 0) return true;
  if (s.run || s.dRun) return false;
  if (s.dEma != null && s.dBaseline != null && s.dEma < 2 * c.dLossBelow) return false;
  if (s.ema != null && s.baseline != null && s.ema > (c.gLossRatio / 2) * Math.max(s.baseline, 1e-3))
    return false;
  return true;
}

function observeExplosion(s: CollapseState, c: CollapseConfig, d: number): string | null {
  if (!Number.isFinite(d)) return null;
  s.dEma = s.dEma == null ? d : 0.99 * s.dEma + 0.01 * d;
  // as for G: the baseline only moves while no streak is open, and only after the first 200 steps
  if (s.seen > 200 && !s.dRun) s.dBaseline = Math.min(s.dBaseline ?? Infinity, s.dEma);
  if (s.dBaseline == null) return null;
  const limit = Math.max(c.explodeFloor, c.explodeRatio * s.dBaseline);
  s.dRun = d > limit ? (s.dRun ?? 0) + 1 : 0;
  if (s.dRun < c.explodeSteps) return null;
  s.dRun = 0;
  return `losses exploded: D loss above ${limit.toPrecision(3)} (${c.explodeRatio}× its baseline ${s.dBaseline.toPrecision(3)}) for ${c.explodeSteps} steps`;
}
