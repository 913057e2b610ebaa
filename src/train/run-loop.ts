import { join } from 'node:path';
import { consistencyRampup } from '../objectives/consistency.js';
import { writeFileAtomic } from '../util/fs.js';
import { nextTurn } from '../util/next-turn.js';
import { observeLosses } from './collapse.js';
import { lrDecayRatio } from './lr-schedule.js';
import type { EpochMetrics, RunHooks } from './run-config.js';
import { rollBack, saveRun } from './run-checkpoints.js';
import type { RunState } from './run-state.js';
import { captureEvaluatedWeights, improvesValidation } from './selected-weights.js';
import { writeGeneratorPictures } from './generator-pictures.js';
import type { StepLosses } from './trainer.js';

/** Losses summed over the steps of the epoch so far. */
interface EpochSums {
  d: number;
  g: number;
  n: number;
  start: number;
}

const newSums = (): EpochSums => ({ d: 0, g: 0, n: 0, start: performance.now() });

/**
 * The sums a checkpoint taken mid-epoch carried, when the run resumes from exactly that step; the epoch's
 * seconds before the stop count towards its time (checkpoints written before they were kept count from here).
 */
function resumedSums(run: RunState): EpochSums {
  const so = run.metrics.epochSoFar;
  if (!so || so.step !== run.trainer.stepCount) return newSums();
  return { d: so.d, g: so.g, n: so.n, start: performance.now() - (so.seconds ?? 0) * 1000 };
}

/** A checkpoint of the run with this epoch's sums and seconds so far. */
function save(run: RunState, sums: EpochSums): void {
  const seconds = Number(((performance.now() - sums.start) / 1000).toFixed(1));
  run.metrics.epochSoFar = { step: run.trainer.stepCount, d: sums.d, g: sums.g, n: sums.n, seconds };
  saveRun(run);
}

/**
 * Stage 4 (loop): steps to `totalSteps`, with an evaluation and metrics.json at every epoch's end, checkpoints
 * on the cadence, and a rollback on divergence. False when `hooks.shouldStop` ended it (after a checkpoint).
 */
export async function trainLoop(run: RunState, hooks: RunHooks): Promise<boolean> {
  const { trainer, config, stepsPerEpoch, totalSteps, lrDecay } = run;
  const faults = injectedFaults();
  let sums = resumedSums(run);
  while (trainer.stepCount < totalSteps) {
    // let signal handlers (Ctrl-C → checkpoint) run between steps
    await nextTurn();
    if (lrDecay) {
      const ratio = lrDecayRatio(trainer.stepCount, stepsPerEpoch, lrDecay);
      if (ratio !== 1) for (const opt of [trainer.optD, trainer.optG]) if (opt) opt.learningRate *= ratio;
    }
    if (config.consistencyRampup)
      trainer.consistencyScale = consistencyRampup(
        trainer.stepCount,
        stepsPerEpoch,
        config.consistencyRampup,
      );
    trainer.step();
    const l = faults(trainer.stepCount, trainer.readLosses());
    // NaN weights show up here too: the next loss is NaN
    const diverged =
      !Number.isFinite(l.d) || !Number.isFinite(l.g)
        ? `loss D ${l.d}, G ${l.g}`
        : observeLosses(run.metrics.monitor!, run.collapse, l.d, l.g);
    if (diverged) {
      rollBack(run, trainer.stepCount, diverged, hooks);
      // the epoch goes on from the checkpoint it rolled back to, with the sums that checkpoint carried
      sums = { ...resumedSums(run), start: sums.start };
      continue;
    }
    sums.d += l.d;
    sums.g += l.g;
    sums.n++;
    hooks.onStep?.(trainer.stepCount, totalSteps);
    const s = trainer.stepCount;
    if (s % stepsPerEpoch === 0) {
      endEpoch(run, sums, hooks);
      sums = newSums();
    }
    if (s % config.checkpointEverySteps === 0 || s === totalSteps) save(run, sums);
    if (hooks.shouldStop?.()) {
      // metrics.json says where the run stopped (a resumed finished run no longer reads as finished)
      run.metrics.step = trainer.stepCount;
      save(run, sums);
      writeFileAtomic(join(run.out, 'metrics.json'), JSON.stringify(run.metrics, null, 2) + '\n');
      return false;
    }
  }
  return true;
}

/**
 * An epoch's evaluation: test (and validation) accuracy for a classifier, losses only for a plain GAN, the
 * generator's pictures, metrics.json.
 */
function endEpoch(run: RunState, sums: EpochSums, hooks: RunHooks): void {
  const { trainer, config, data, metrics } = run;
  const { split, testX, testY } = data;
  const s = trainer.stepCount;
  const epoch = s / run.stepsPerEpoch;
  const seconds = Number(((performance.now() - sums.start) / 1000).toFixed(1));
  const losses = { epoch, step: s, dLoss: sums.d / sums.n, gLoss: sums.g / sums.n };
  // the plain GAN has no classifier to score: its epochs report losses and pictures only
  if (trainer.objective.usesLabels) {
    const acc = trainer.evaluate(testX, testY);
    const nVal = split.validation.y.length;
    const m: EpochMetrics = {
      ...losses,
      testAccuracy: acc,
      testError: 1 - acc,
      learningRate: trainer.optD.learningRate,
      ...(trainer.average ? { testErrorLive: 1 - trainer.evaluate(testX, testY, { live: true }) } : {}),
      ...(nVal ? { validationAccuracy: trainer.evaluate(split.validation.x, split.validation.y) } : {}),
      seconds,
    };
    if (config.selectBest && improvesValidation(metrics.epochs, m))
      run.selected = captureEvaluatedWeights(trainer, m.epoch);
    metrics.epochs.push(m);
    hooks.onEpoch?.(m, config.epochs);
  } else {
    (metrics.ganEpochs ??= []).push({ ...losses, learningRate: trainer.optD.learningRate, seconds });
  }
  // the epochs this run reaches (--steps may stop it before --epochs): the pictures' cadence and last one
  const lastEpoch = Math.max(1, Math.floor(run.totalSteps / run.stepsPerEpoch));
  writeGeneratorPictures(trainer, run.spec, split, run.out, epoch, lastEpoch);
  metrics.step = s;
  writeFileAtomic(join(run.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
}

/**
 * Fault injection for tests and drills, from the environment: one NaN loss at a step (once per process), or
 * from a step on, losses that read as a collapsed D or as exploded.
 */
function injectedFaults(): (step: number, l: StepLosses) => StepLosses {
  const nanAt = Number(process.env.SEMIGAN_FAULT_NAN_AT_STEP ?? 0);
  const collapseFrom = Number(process.env.SEMIGAN_FAULT_COLLAPSE_AT_STEP ?? 0);
  const explodeFrom = Number(process.env.SEMIGAN_FAULT_EXPLODE_AT_STEP ?? 0);
  let nanInjected = false;
  return (step, l) => {
    if (nanAt && !nanInjected && step === nanAt) {
      nanInjected = true;
      l.d = NaN;
    }
    if (collapseFrom && step >= collapseFrom) [l.d, l.g] = [1e-4, 1e4];
    if (explodeFrom && step >= explodeFrom) [l.d, l.g] = [1e3, 1e5];
    return l;
  };
}
