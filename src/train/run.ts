import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadData, parseDataSpec } from '../data/spec.js';
import { splitDataset, type LabeledSubsetRecord } from '../data/split.js';
import { SemiganError, UsageError } from '../errors.js';
import { MNIST_PRESET, TOY_PRESET, type Preset } from '../experiments/presets.js';
import { Rng } from '../random.js';
import { writeFileAtomic, ensureWritableDir } from '../util/fs.js';
import { sha256 } from '../util/sha256.js';
import { sampleGridPng } from '../report/sample-grid.js';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-file.js';
import { makeObjective, parseMethod, type MethodName } from './methods.js';
import { Trainer } from './trainer.js';
import { captureTrainerState, restoreTrainerState, type TrainerStateMeta } from './trainer-state.js';

/** Everything that defines a run; stored in the checkpoint so `--resume` needs nothing else. */
export interface RunConfig {
  data: string;
  method: MethodName;
  labelsPerClass: number;
  seed: number;
  epochs: number;
  /** Stop after this many steps instead of `epochs` full epochs. */
  steps?: number;
  /** Steps per epoch; default: unlabeled examples / batch size (MNIST: 600). */
  stepsPerEpoch?: number;
  checkpointEverySteps: number;
  learningRate?: number;
  /** Evaluate on at most this many test examples per epoch (0: all). */
  testLimit?: number;
  /** On NaN/Inf: roll back to the last checkpoint with halved learning rates, at most this often (default 3). */
  maxRollbacks?: number;
}

export interface Rollback {
  atStep: number;
  toStep: number;
  learningRate: number;
}

export interface EpochMetrics {
  epoch: number;
  step: number;
  dLoss: number;
  gLoss: number;
  testAccuracy: number;
  testError: number;
  /** With weight averaging: the error of the live (not averaged) weights, to see how far the average lags. */
  testErrorLive?: number;
  seconds: number;
}

export interface RunMetrics {
  config: RunConfig;
  preset: string;
  backend: string;
  labeledSubset: LabeledSubsetRecord;
  featureShape: number[];
  classNames: string[];
  epochs: EpochMetrics[];
  rollbacks?: Rollback[];
  complete: boolean;
  step: number;
  testAccuracy?: number;
  weightsSha256?: string;
}

export interface RunHooks {
  /** Called once the data is loaded and split, before the first step. */
  onStart?(info: { totalSteps: number; stepsPerEpoch: number; labeled: number; unlabeled: number }): void;
  onEpoch?(m: EpochMetrics, total: number): void;
  onStep?(step: number, totalSteps: number): void;
  /** Polled every step; true stops the run after a checkpoint. */
  shouldStop?(): boolean;
  onRollback?(r: Rollback): void;
}

export const CHECKPOINT_FILE = 'checkpoint.bin';

export function presetFor(data: string): Preset {
  return parseDataSpec(data).kind === 'mnist' ? MNIST_PRESET : TOY_PRESET;
}

/** sha256 of all trained weights (D then G, by name): equal hashes mean identical models. */
export function weightsSha256(t: Trainer): string {
  const parts = [...t.discriminator.params.save(), ...(t.generator?.params.save() ?? [])];
  const total = parts.reduce((a, p) => a + p.data.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p.data, off);
    off += p.data.length;
  }
  return sha256(new Uint8Array(all.buffer));
}

export function validateRunConfig(c: RunConfig): RunConfig {
  parseDataSpec(c.data);
  parseMethod(c.method);
  for (const [k, v, min] of [
    ['labelsPerClass', c.labelsPerClass, 1],
    ['epochs', c.epochs, 1],
    ['checkpointEverySteps', c.checkpointEverySteps, 1],
    ['seed', c.seed, 0],
    ['steps', c.steps ?? 1, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new UsageError(`${k} must be an integer ≥ ${min}, got ${v}`);
  }
  return c;
}

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
  const { train, test } = loadData(spec, config.seed);
  const split = splitDataset(train, { labeledPerClass: config.labelsPerClass, seed: config.seed });
  const objective = makeObjective(config.method, {
    unlabeledX: split.unlabeled.x,
    featureShape: split.featureShape,
  });
  const k = split.classNames.length;
  const rng = new Rng(config.seed * 7919 + 17);
  const d = preset.makeDiscriminator(objective, k, split.featureShape, rng);
  const g = objective.usesGenerator ? preset.makeGenerator(split.featureShape, rng) : undefined;
  const trainConfig = {
    ...preset.train,
    learningRate: config.learningRate ?? preset.train.learningRate,
    seed: config.seed,
    initExamples: objective.usesGenerator ? preset.train.initExamples : 0,
  };
  const trainer = new Trainer(objective, d, g, { ...split, numClasses: k }, trainConfig);
  const stepsPerEpoch =
    config.stepsPerEpoch ?? Math.max(1, Math.floor(split.unlabeled.ids.length / trainConfig.batchSize));
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
  hooks.onStart?.({
    totalSteps,
    stepsPerEpoch,
    labeled: split.labeled.y.length,
    unlabeled: split.unlabeled.ids.length,
  });
  const save = () => {
    metrics.step = trainer.stepCount;
    const { meta, blobs } = captureTrainerState(trainer);
    writeCheckpointFile(ckptPath, { version: 1, trainer: meta, metrics }, blobs);
  };
  // a rollback target exists from the first step on
  if (!resume) save();
  const faultStep = Number(process.env.SEMIGAN_FAULT_NAN_AT_STEP ?? 0);
  let faultInjected = false;
  const rollBack = (atStep: number, what: string) => {
    const done = metrics.rollbacks?.length ?? 0;
    const allowed = config.maxRollbacks ?? 3;
    if (done >= allowed) {
      throw new SemiganError(
        `training diverged at step ${atStep} (${what}) after ${done} rollback${done === 1 ? '' : 's'} with lowered learning rates; ` +
          `try a smaller --lr; the last good checkpoint is ${ckptPath}`,
      );
    }
    const rollbacks = metrics.rollbacks ?? [];
    const ck = readCheckpointFile<{ trainer: TrainerStateMeta; metrics: RunMetrics }>(ckptPath);
    restoreTrainerState(trainer, ck.meta.trainer, ck.blobs);
    metrics = { ...ck.meta.metrics, config, backend: tf.getBackend() };
    for (const opt of [trainer.optD, trainer.optG])
      if (opt) opt.learningRate *= 0.5 ** (rollbacks.length + 1);
    const r = { atStep, toStep: trainer.stepCount, learningRate: trainer.optD.learningRate };
    metrics.rollbacks = [...rollbacks, r];
    hooks.onRollback?.(r);
  };

  try {
    let dSum = 0;
    let gSum = 0;
    let n = 0;
    let epochStart = performance.now();
    while (trainer.stepCount < totalSteps) {
      // let signal handlers (Ctrl-C → checkpoint) run between steps
      await new Promise((resolve) => setImmediate(resolve));
      trainer.step();
      const l = trainer.readLosses();
      if (faultStep && !faultInjected && trainer.stepCount === faultStep) {
        // fault injection for tests and drills: this step's loss reads as NaN once per process
        faultInjected = true;
        l.d = NaN;
      }
      if (!Number.isFinite(l.d) || !Number.isFinite(l.g)) {
        // NaN weights show up here too: the next loss is NaN
        rollBack(trainer.stepCount, `loss D ${l.d}, G ${l.g}`);
        [dSum, gSum, n] = [0, 0, 0];
        continue;
      }
      dSum += l.d;
      gSum += l.g;
      n++;
      hooks.onStep?.(trainer.stepCount, totalSteps);
      const s = trainer.stepCount;
      if (s % stepsPerEpoch === 0) {
        const acc = trainer.evaluate(testX, testY);
        const m: EpochMetrics = {
          epoch: s / stepsPerEpoch,
          step: s,
          dLoss: dSum / n,
          gLoss: gSum / n,
          testAccuracy: acc,
          testError: 1 - acc,
          ...(trainer.average ? { testErrorLive: 1 - trainer.evaluate(testX, testY, { live: true }) } : {}),
          seconds: Number(((performance.now() - epochStart) / 1000).toFixed(1)),
        };
        metrics.epochs.push(m);
        if (trainer.generator && split.featureShape.length === 3) {
          const grid = sampleGridPng(trainer.sample(100), split.featureShape);
          writeFileAtomic(join(out, `samples-${m.epoch}.png`), grid);
        }
        hooks.onEpoch?.(m, config.epochs);
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
    metrics.testAccuracy = metrics.epochs.at(-1)?.testAccuracy ?? trainer.evaluate(testX, testY);
    metrics.weightsSha256 = weightsSha256(trainer);
    metrics.step = trainer.stepCount;
    save();
    writeFileAtomic(metricsPath, JSON.stringify(metrics, null, 2) + '\n');
    return metrics;
  } finally {
    trainer.dispose();
    d.params.dispose();
    g?.params.dispose();
  }
}

/** The config stored in a run directory's checkpoint (for `--resume DIR`). */
export function readRunConfig(out: string): RunConfig {
  const path = join(out, CHECKPOINT_FILE);
  if (!existsSync(path)) throw new UsageError(`nothing to resume in ${out}: it has no ${CHECKPOINT_FILE}`);
  const ck = readCheckpointFile<{ metrics: RunMetrics }>(path);
  return ck.meta.metrics.config;
}

export function readMetrics(out: string): RunMetrics | null {
  const p = join(out, 'metrics.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as RunMetrics) : null;
}
