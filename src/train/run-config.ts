import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabeledExample } from '../data/labels-csv.js';
import { parseDataSpec } from '../data/spec.js';
import type { LabeledSubsetRecord } from '../data/split.js';
import { UsageError } from '../errors.js';
import type { OptimizerOverrides } from '../experiments/make-trainer.js';
import { imagePreset, MNIST_PRESET, TOY_PRESET, type Preset } from '../experiments/presets.js';
import { sha256 } from '../util/sha256.js';
import { augmentationProblem, augments, type Augmentation } from './augment.js';
import { readCheckpointFile } from './checkpoint-file.js';
import type { CollapseState } from './collapse.js';
import type { LrDecay } from './lr-schedule.js';
import type { CodeVersion } from './provenance.js';
import { parseMethod, type MethodName } from './methods.js';
import type { Trainer } from './trainer.js';

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
  /** Adam settings replacing the preset's (generator learning rate, β1/β2, where ε goes). */
  optimizer?: OptimizerOverrides;
  /** Random flips, shifts, turns and rescaling of real images, replacing the preset's (see Augmentation). */
  augment?: Augmentation;
  /** Weight of the Π-model consistency term on D's unlabeled predictions (absent or 0: off). */
  consistency?: number;
  /** Ramp the consistency weight up over this many epochs (Laine & Aila's exp(−5(1 − t)²)); absent or 0: full from step 1. */
  consistencyRampup?: number;
  /** Linear learning-rate decay to zero between two epochs (Bad GAN: over the last third); default: none. */
  lrDecay?: LrDecay;
  /** Evaluate on at most this many test examples per epoch (0: all). */
  testLimit?: number;
  /** On NaN/Inf: roll back to the last checkpoint with halved learning rates, at most this often (default 3). */
  maxRollbacks?: number;
  /** The labeled set, as a labels CSV or a selector chose it; otherwise labelsPerClass drawn at random. */
  labeledExamples?: LabeledExample[];
  /** Labeled validation examples per class held out of training (for early stopping); default 0. */
  validationPerClass?: number;
  /** Report the test accuracy of the epoch with the best validation accuracy (early stopping). */
  selectBest?: boolean;
  /** Steps of discriminator collapse (D loss ≈ 0, G loss ≫ baseline) before rolling back; 0: off. */
  collapseSteps?: number;
}

export interface Rollback {
  atStep: number;
  toStep: number;
  learningRate: number;
  /** What was detected: non-finite losses, or discriminator collapse. */
  reason?: string;
}

export interface EpochMetrics {
  epoch: number;
  step: number;
  dLoss: number;
  gLoss: number;
  testAccuracy: number;
  testError: number;
  /** The discriminator's learning rate at the epoch's last step (after decay and rollbacks). */
  learningRate?: number;
  /** With weight averaging: the error of the live (not averaged) weights, to see how far the average lags. */
  testErrorLive?: number;
  /** Accuracy on the held-out labeled validation examples (runs with validationPerClass). */
  validationAccuracy?: number;
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
  /** The plain GAN's epochs (it does not classify, so it has no accuracy to put in `epochs`). */
  ganEpochs?: Omit<EpochMetrics, 'testAccuracy' | 'testError'>[];
  rollbacks?: Rollback[];
  complete: boolean;
  step: number;
  testAccuracy?: number;
  /** The git commits of semigan that trained this run (from a checkout), and from which step each. */
  code?: CodeVersion[];
  /** Divergence monitor state, checkpointed so resumes detect exactly what an uninterrupted run would. */
  monitor?: CollapseState;
  /** Final test confusion matrix (rows: true class, columns: predicted). */
  confusion?: number[][];
  /** With selectBest: the epoch whose test accuracy is reported. */
  selectedEpoch?: number;
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
  /** Non-fatal problems, e.g. an unreadable image that was skipped. */
  onWarning?(message: string): void;
  /** Decoding progress of image folders (first run only; later runs read the cache). */
  onLoadProgress?(done: number, total: number): void;
}

export const CHECKPOINT_FILE = 'checkpoint.bin';
/** The last checkpoint taken while training looked healthy: where a rollback returns to. */
export const HEALTHY_CHECKPOINT_FILE = 'checkpoint-healthy.bin';

export function presetFor(data: string): Preset {
  const kind = parseDataSpec(data).kind;
  return kind === 'mnist' ? MNIST_PRESET : kind === 'images' ? imagePreset() : TOY_PRESET;
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
  const spec = parseDataSpec(c.data);
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
  const d = c.lrDecay;
  if (
    d &&
    !(
      Number.isInteger(d.startEpoch) &&
      d.startEpoch >= 0 &&
      Number.isInteger(d.endEpoch) &&
      d.endEpoch > d.startEpoch
    )
  )
    throw new UsageError(
      `the learning-rate decay must start at an epoch ≥ 0 before the last one, got epochs ${d.startEpoch} to ${d.endEpoch}`,
    );
  const a = c.augment;
  if (augments(a) && spec.kind !== 'mnist' && spec.kind !== 'images')
    throw new UsageError(
      `augmentation (flips, shifts, rotations) needs image data (mnist: or images:), not ${c.data}`,
    );
  const augmentProblem = a && augmentationProblem(a);
  if (augmentProblem) throw new UsageError(augmentProblem);
  if (c.consistency !== undefined) {
    if (!(c.consistency >= 0 && c.consistency <= 1000))
      throw new UsageError(`the consistency weight must be from 0 to 1000, got ${c.consistency}`);
    if (c.consistency > 0 && c.method === 'supervised')
      throw new UsageError(
        'the consistency term needs unlabeled data: use it with a GAN method, not supervised',
      );
  }
  const ramp = c.consistencyRampup;
  if (ramp !== undefined && ramp !== 0) {
    if (!(Number.isInteger(ramp) && ramp > 0 && ramp <= 100_000))
      throw new UsageError(`the consistency ramp-up must be a whole number of epochs ≥ 0, got ${ramp}`);
    if (!(c.consistency! > 0))
      throw new UsageError('a consistency ramp-up needs a consistency weight: add --consistency W');
  }
  const o = c.optimizer ?? {};
  if (o.generatorLearningRate !== undefined && !(o.generatorLearningRate > 0))
    throw new UsageError(`the generator learning rate must be > 0, got ${o.generatorLearningRate}`);
  for (const [k, v] of [
    ['beta1', o.beta1],
    ['beta2', o.beta2],
    ['generatorBeta1', o.generatorBeta1],
  ] as const) {
    if (v !== undefined && !(v >= 0 && v < 1))
      throw new UsageError(`Adam's ${k} must be in [0, 1), got ${v}`);
  }
  return c;
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
