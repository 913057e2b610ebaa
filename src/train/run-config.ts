import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabeledExample } from '../data/labels-csv.js';
import { parseDataSpec, type DataSpec } from '../data/spec.js';
import type { LabeledSubsetRecord } from '../data/split.js';
import type { OptimizerOverrides } from '../experiments/make-trainer.js';
import {
  MNIST_GAN_PRESET,
  MNIST_PRESET,
  photoPreset,
  presetByName,
  TOY_PRESET,
  type Preset,
} from '../experiments/presets.js';
import type { PseudoLabelOptions } from '../objectives/pseudo-label.js';
import { sha256 } from '../util/sha256.js';
import type { Augmentation } from './augment.js';
import type { CollapseState } from './collapse.js';
import type { LrDecay } from './lr-schedule.js';
import type { CodeVersion } from './provenance.js';
import type { MethodName } from './methods.js';
import type { SavedParam } from '../nets/params.js';
import type { Trainer } from './trainer.js';

/** Everything that defines a run; stored in the checkpoint so `--resume` needs nothing else. */
export interface RunConfig {
  data: string;
  method: MethodName;
  /** Labeled examples drawn per class; with `labeledExamples`, the most any class has among them. */
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
  /** FixMatch's pseudo-label term on D (weight 0 or absent: the method's default, off for GAN methods). */
  pseudoLabels?: PseudoLabelOptions;
  /** Weight of D's real/fake (GAN) loss against its labeled cross-entropy (absent: 1; GAN methods only). */
  ganWeight?: number;
  /**
   * The nets and optimiser settings by name (see presetByName); absent: the data kind's default. A run
   * records the name it resolved, so a resume keeps its nets when a default changes.
   */
  preset?: string;
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
  /**
   * Early stopping: report the epoch with the best validation accuracy, and keep its classifier as the run's
   * model (confusion, weightsSha256, eval, predict and export use it).
   */
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
  /**
   * The losses summed over the current epoch's steps up to `step`, checkpointed so that an epoch interrupted
   * and resumed logs the same average losses as one trained in one go.
   */
  /** seconds: absent in checkpoints written before the epoch's time was kept */
  epochSoFar?: { step: number; d: number; g: number; n: number; seconds?: number };
  /** Divergence monitor state, checkpointed so resumes detect exactly what an uninterrupted run would. */
  monitor?: CollapseState;
  /** Final test confusion matrix (rows: true class, columns: predicted). */
  confusion?: number[][];
  /** With selectBest: the epoch whose test accuracy is reported and whose classifier the run keeps. */
  selectedEpoch?: number;
  /** sha256 of the final weights (D then G); with selectedEpoch, of the selected classifier's weights. */
  weightsSha256?: string;
}

export interface RunHooks {
  /** Called once the data is loaded and split, before the first step; startStep is where a resume picks up. */
  onStart?(info: {
    totalSteps: number;
    stepsPerEpoch: number;
    startStep: number;
    labeled: number;
    unlabeled: number;
  }): void;
  onEpoch?(m: EpochMetrics, total: number): void;
  onStep?(step: number, totalSteps: number): void;
  /** Polled every step; true stops the run after a checkpoint. */
  shouldStop?(): boolean;
  onRollback?(r: Rollback): void;
  /** Non-fatal problems, e.g. an unreadable image that was skipped. */
  onWarning?(message: string): void;
  /** Decoding progress of image folders (first run only; later runs read the cache). */
  onLoadProgress?(done: number, total: number): void;
  /**
   * A resume found the run already as far as its length asks (or further): nothing was trained and nothing
   * written; runTraining returns the run's metrics as they were.
   */
  onNothingToTrain?(step: number): void;
}

export const CHECKPOINT_FILE = 'checkpoint.bin';
/** The last checkpoint taken while training looked healthy: where a rollback returns to. */
export const HEALTHY_CHECKPOINT_FILE = 'checkpoint-healthy.bin';

/** The run's preset: the one it names, or the default for its data kind and method. */
export function presetOf(c: Pick<RunConfig, 'data' | 'preset' | 'method'>): Preset {
  return c.preset ? presetByName(c.preset) : presetFor(c.data, c.method);
}

export function presetFor(data: string, method?: MethodName): Preset {
  return presetForSpec(parseDataSpec(data), method);
}

/**
 * The default preset for a data kind and method. Improved GAN's MNIST nets collapse under the plain GAN's
 * loss (nearly every sample a "1"), so the plain GAN has nets of its own there.
 */
export function presetForSpec(spec: DataSpec, method?: MethodName): Preset {
  if (spec.kind === 'mnist') return method === 'gan' ? MNIST_GAN_PRESET : MNIST_PRESET;
  return spec.kind === 'images' ? photoPreset() : TOY_PRESET;
}

/** sha256 of all trained weights (D then G, by name): equal hashes mean identical models. */
export function weightsSha256(t: Trainer): string {
  return paramsSha256([...t.discriminator.params.save(), ...(t.generator?.params.save() ?? [])]);
}

/** sha256 of the float32 values of these parameters, in order. */
export function paramsSha256(parts: Pick<SavedParam, 'data'>[]): string {
  const total = parts.reduce((a, p) => a + p.data.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p.data, off);
    off += p.data.length;
  }
  return sha256(new Uint8Array(all.buffer));
}

export function readMetrics(out: string): RunMetrics | null {
  const p = join(out, 'metrics.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as RunMetrics) : null;
}
