import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadData, parseDataSpec } from '../data/spec.js';
import { idsOf, splitDataset } from '../data/split.js';
import { SemiganError, UsageError } from '../errors.js';
import { argmaxRows, confusionMatrix } from '../eval/predict.js';
import { writeFileAtomic, ensureWritableDir } from '../util/fs.js';
import type { Trainer } from './trainer.js';
import { writeGeneratorPictures } from './generator-pictures.js';
import type { Split } from '../data/split.js';
import { encodeCheckpoint, readCheckpointFile } from './checkpoint-file.js';
import { clearStreaks, DEFAULT_COLLAPSE, looksHealthy, newCollapseState, observeLosses } from './collapse.js';
import {
  CHECKPOINT_FILE,
  HEALTHY_CHECKPOINT_FILE,
  presetFor,
  validateRunConfig,
  weightsSha256,
  type EpochMetrics,
  type RunConfig,
  type RunHooks,
  type RunMetrics,
} from './run-config.js';
import { backendAcceleration } from '../backend.js';
import { machineSignature, recordCode } from './provenance.js';
import { makeTrainer } from '../experiments/make-trainer.js';
import { captureTrainerState, restoreTrainerState, type TrainerStateMeta } from './trainer-state.js';
import { consistencyRampup } from '../objectives/consistency.js';
import { lrDecayRatio } from './lr-schedule.js';

export * from './run-config.js';

/**
 * Trains (or resumes) one run in `out`: checkpoint.bin every N steps and at the end (atomic), metrics.json
 * after every epoch, with `complete: true` only once the last epoch is done.
 */
export async function runTraining(
  config: RunConfig,
  out: string,
  hooks: RunHooks = {},
  resume = false,
): Promise<RunMetrics> {
  validateRunConfig(config);
  ensureWritableDir(out);
  const ckptPath = join(out, CHECKPOINT_FILE);
  const spec = parseDataSpec(config.data);
  const preset = presetFor(config.data);
  const { train, test, extraUnlabeled } = await loadData(spec, config.seed, undefined, {
    onWarning: hooks.onWarning,
    onProgress: hooks.onLoadProgress,
  });
  const split = splitDataset(train, {
    labeledPerClass: config.labelsPerClass,
    seed: config.seed,
    validationPerClass: config.validationPerClass ?? 0,
    ...(config.labeledExamples ? chosenLabels(config.labeledExamples, idsOf(train), train.classNames) : {}),
  });
  if (extraUnlabeled) {
    // examples from a folder without classes join the unlabeled set only: they have no label to read
    const x = new Float32Array(split.unlabeled.x.length + extraUnlabeled.x.length);
    x.set(split.unlabeled.x);
    x.set(extraUnlabeled.x, split.unlabeled.x.length);
    split.unlabeled = { x, ids: [...split.unlabeled.ids, ...extraUnlabeled.ids] };
  }
  const trainer = makeTrainer(config.method, preset, split, {
    seed: config.seed,
    learningRate: config.learningRate,
    optimizer: config.optimizer,
    augment: config.augment,
    consistency: config.consistency,
  });
  // the plain GAN has no classifier to score: its epochs report losses and pictures only
  const classifies = trainer.objective.usesLabels;
  const stepsPerEpoch =
    config.stepsPerEpoch ?? Math.max(1, Math.floor(split.unlabeled.ids.length / trainer.config.batchSize));
  const totalSteps = config.steps ?? stepsPerEpoch * config.epochs;
  const testRows = config.testLimit ? Math.min(config.testLimit, test.y.length) : test.y.length;
  const rowSize = test.x.length / test.y.length;
  const testX = test.x.subarray(0, testRows * rowSize);
  const testY = test.y.subarray(0, testRows);

  let metrics: RunMetrics = {
    config,
    preset: preset.name,
    backend: tf.getBackend(),
    labeledSubset: split.record,
    featureShape: split.featureShape,
    classNames: split.classNames,
    epochs: [],
    complete: false,
    step: 0,
  };
  const metricsPath = join(out, 'metrics.json');
  if (resume) {
    if (!existsSync(ckptPath))
      throw new UsageError(`nothing to resume in ${out}: it has no ${CHECKPOINT_FILE}`);
    const ck = readCheckpointFile<{ trainer: TrainerStateMeta; metrics: RunMetrics }>(ckptPath);
    restoreTrainerState(trainer, ck.meta.trainer, ck.blobs);
    metrics = { ...ck.meta.metrics, config, backend: tf.getBackend() };
  }
  const ranOn = metrics.code?.at(-1)?.machine;
  const machine = machineSignature(tf.getBackend(), backendAcceleration());
  metrics.code = recordCode(metrics.code, trainer.stepCount, machine);
  hooks.onStart?.({
    totalSteps,
    stepsPerEpoch,
    labeled: split.labeled.y.length,
    unlabeled: split.unlabeled.ids.length,
  });
  if (resume && ranOn && ranOn !== machine) {
    hooks.onWarning?.(
      `resuming on another machine or kernels (was: ${ranOn}; now: ${machine}). Training continues correctly, ` +
        'but not bit for bit as it would have there; metrics.json records the switch',
    );
  }
  const collapse = { ...DEFAULT_COLLAPSE, steps: config.collapseSteps ?? DEFAULT_COLLAPSE.steps };
  metrics.monitor ??= newCollapseState();
  const healthyPath = join(out, HEALTHY_CHECKPOINT_FILE);
  const save = () => {
    metrics.step = trainer.stepCount;
    const { meta, blobs } = captureTrainerState(trainer);
    const bytes = encodeCheckpoint({ version: 1, trainer: meta, metrics }, blobs);
    writeFileAtomic(ckptPath, bytes);
    if (looksHealthy(metrics.monitor!, collapse)) writeFileAtomic(healthyPath, bytes);
  };
  // a rollback target exists from the first step on
  if (!resume) save();
  const faultStep = Number(process.env.SEMIGAN_FAULT_NAN_AT_STEP ?? 0);
  // fault injection: from this step on, losses read as a collapsed D, or as exploded (tests and drills)
  const collapseFault = Number(process.env.SEMIGAN_FAULT_COLLAPSE_AT_STEP ?? 0);
  const explodeFault = Number(process.env.SEMIGAN_FAULT_EXPLODE_AT_STEP ?? 0);
  let faultInjected = false;
  const rollBack = (atStep: number, what: string) => {
    // runs checkpointed before semigan kept a healthy copy roll back to their last checkpoint
    const target = existsSync(healthyPath) ? healthyPath : ckptPath;
    const done = metrics.rollbacks?.length ?? 0;
    const allowed = config.maxRollbacks ?? 3;
    if (done >= allowed) {
      throw new SemiganError(
        `training diverged at step ${atStep} (${what}) after ${done} rollback${done === 1 ? '' : 's'} with lowered learning rates; ` +
          `try a smaller --lr; the last good checkpoint is ${target}`,
      );
    }
    const rollbacks = metrics.rollbacks ?? [];
    const ck = readCheckpointFile<{ trainer: TrainerStateMeta; metrics: RunMetrics }>(target);
    restoreTrainerState(trainer, ck.meta.trainer, ck.blobs);
    metrics = { ...ck.meta.metrics, config, backend: tf.getBackend() };
    // the target was saved after any earlier rollback, with that rollback's rate: halve once more
    for (const opt of [trainer.optD, trainer.optG]) if (opt) opt.learningRate *= 0.5;
    const r = { atStep, toStep: trainer.stepCount, learningRate: trainer.optD.learningRate, reason: what };
    metrics.monitor = clearStreaks(metrics.monitor ?? newCollapseState());
    metrics.rollbacks = [...rollbacks, r];
    // the run's own checkpoint still holds the failed networks: a stop now must resume from the rollback
    save();
    hooks.onRollback?.(r);
  };

  const finish = () => {
    metrics.weightsSha256 = weightsSha256(trainer);
    metrics.step = trainer.stepCount;
    save();
    writeFileAtomic(metricsPath, JSON.stringify(metrics, null, 2) + '\n');
    return metrics;
  };

  try {
    let dSum = 0;
    let gSum = 0;
    let n = 0;
    let epochStart = performance.now();
    while (trainer.stepCount < totalSteps) {
      // let signal handlers (Ctrl-C → checkpoint) run between steps
      await new Promise((resolve) => setImmediate(resolve));
      if (config.lrDecay) {
        const ratio = lrDecayRatio(trainer.stepCount, stepsPerEpoch, config.lrDecay);
        if (ratio !== 1) for (const opt of [trainer.optD, trainer.optG]) if (opt) opt.learningRate *= ratio;
      }
      if (config.consistencyRampup)
        trainer.consistencyScale = consistencyRampup(
          trainer.stepCount,
          stepsPerEpoch,
          config.consistencyRampup,
        );
      trainer.step();
      const l = trainer.readLosses();
      if (faultStep && !faultInjected && trainer.stepCount === faultStep) {
        // fault injection for tests and drills: this step's loss reads as NaN once per process
        faultInjected = true;
        l.d = NaN;
      }
      if (collapseFault && trainer.stepCount >= collapseFault) [l.d, l.g] = [1e-4, 1e4];
      if (explodeFault && trainer.stepCount >= explodeFault) [l.d, l.g] = [1e3, 1e5];
      if (!Number.isFinite(l.d) || !Number.isFinite(l.g)) {
        // NaN weights show up here too: the next loss is NaN
        rollBack(trainer.stepCount, `loss D ${l.d}, G ${l.g}`);
        [dSum, gSum, n] = [0, 0, 0];
        continue;
      }
      const collapsed = observeLosses(metrics.monitor!, collapse, l.d, l.g);
      if (collapsed) {
        rollBack(trainer.stepCount, collapsed);
        [dSum, gSum, n] = [0, 0, 0];
        continue;
      }
      dSum += l.d;
      gSum += l.g;
      n++;
      hooks.onStep?.(trainer.stepCount, totalSteps);
      const s = trainer.stepCount;
      if (s % stepsPerEpoch === 0) {
        const epoch = s / stepsPerEpoch;
        const seconds = Number(((performance.now() - epochStart) / 1000).toFixed(1));
        const losses = { epoch, step: s, dLoss: dSum / n, gLoss: gSum / n };
        if (classifies) {
          const m = epochMetrics(trainer, split, testX, testY, losses);
          metrics.epochs.push({ ...m, seconds });
          hooks.onEpoch?.({ ...m, seconds }, config.epochs);
        } else {
          (metrics.ganEpochs ??= []).push({ ...losses, learningRate: trainer.optD.learningRate, seconds });
        }
        writeGeneratorPictures(trainer, spec, split, out, epoch, config.epochs);
        [dSum, gSum, n, epochStart] = [0, 0, 0, performance.now()];
        metrics.step = s;
        writeFileAtomic(metricsPath, JSON.stringify(metrics, null, 2) + '\n');
      }
      if (s % config.checkpointEverySteps === 0 || s === totalSteps) save();
      if (hooks.shouldStop?.()) {
        save();
        return metrics;
      }
    }
    metrics.complete = true;
    if (!classifies) return finish();
    metrics.testAccuracy = metrics.epochs.at(-1)?.testAccuracy ?? trainer.evaluate(testX, testY);
    if (config.selectBest && metrics.epochs.some((e) => e.validationAccuracy !== undefined)) {
      // early stopping as the reference's supervised baseline: the epoch with the best validation accuracy
      const best = metrics.epochs.reduce((a, e) =>
        (e.validationAccuracy ?? 0) > (a.validationAccuracy ?? 0) ? e : a,
      );
      metrics.selectedEpoch = best.epoch;
      metrics.testAccuracy = best.testAccuracy;
    }
    const { probs, numClasses } = trainer.predict(testX);
    metrics.confusion = confusionMatrix(argmaxRows(probs, numClasses), testY, numClasses);
    return finish();
  } finally {
    trainer.dispose();
  }
}

/** One epoch's scores of a classifier: test accuracy (live and averaged weights) and validation accuracy. */
function epochMetrics(
  trainer: Trainer,
  split: Split,
  testX: Float32Array,
  testY: Int32Array,
  losses: { epoch: number; step: number; dLoss: number; gLoss: number },
): Omit<EpochMetrics, 'seconds'> {
  const acc = trainer.evaluate(testX, testY);
  const nVal = split.validation.y.length;
  return {
    ...losses,
    testAccuracy: acc,
    testError: 1 - acc,
    learningRate: trainer.optD.learningRate,
    ...(trainer.average ? { testErrorLive: 1 - trainer.evaluate(testX, testY, { live: true }) } : {}),
    ...(nVal ? { validationAccuracy: trainer.evaluate(split.validation.x, split.validation.y) } : {}),
  };
}

/** Rows and class indices of the labeled examples a labels CSV or selector named (already validated). */
function chosenLabels(
  examples: { id: string; label: string }[],
  ids: string[],
  classNames: string[],
): { labeledRows: number[]; labeledY: number[] } {
  const row = new Map(ids.map((id, i) => [id, i]));
  const labeledRows: number[] = [];
  const labeledY: number[] = [];
  for (const e of examples) {
    const r = row.get(e.id);
    const c = classNames.indexOf(e.label);
    if (r === undefined) throw new UsageError(`labeled example '${e.id}' is not in the training data`);
    if (c < 0) throw new UsageError(`labeled example '${e.id}' has unknown class '${e.label}'`);
    labeledRows.push(r);
    labeledY.push(c);
  }
  return { labeledRows, labeledY };
}
