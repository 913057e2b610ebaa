import type { LabeledSet, UnlabeledSet } from '../data/split.js';
import { Rng } from '../random.js';
import { makeObjective, type MethodName, type UnlabeledTerms } from '../train/methods.js';
import type { Objective } from '../objectives/objective.js';
import type { Augmentation } from '../train/augment.js';
import { Trainer, type TrainConfig } from '../train/trainer.js';
import type { Preset } from './presets.js';

/** What a trainer is built from: the shape of an example, the class names and the two sets it may read. */
export interface TrainerInputs {
  featureShape: number[];
  classNames: string[];
  labeled: LabeledSet;
  unlabeled: UnlabeledSet;
}

export interface TrainerOptions {
  seed: number;
  learningRate?: number;
  /** Unlabeled, generated and labeled examples per step; the preset's by default. */
  batchSize?: number;
  /** Optimiser settings that replace the preset's (e.g. Bad GAN's Adam on Improved GAN's nets). */
  optimizer?: OptimizerOverrides;
  /** Augmentation of real batches replacing the preset's (e.g. shifts for MNIST, whose preset has none). */
  augment?: Augmentation;
  /** Weight of the Π-model consistency term on D (0 or absent: the method's default, off for GANs). */
  consistency?: number;
  /** FixMatch's pseudo-label term on D (absent: the method's default, off for GANs). */
  pseudoLabels?: UnlabeledTerms['pseudoLabels'];
  /** Weight of D's real/fake loss in a GAN method (absent: 1). */
  ganWeight?: number;
  /** Replaces the method's objective (a benchmark's ablation of one term); the trainer disposes it. */
  objective?: Objective;
}

/** The Adam settings a run may change from its preset's. */
export type OptimizerOverrides = Partial<
  Pick<TrainConfig, 'generatorLearningRate' | 'beta1' | 'beta2' | 'generatorBeta1' | 'adamEpsilon'>
>;

/**
 * The objective, nets and trainer for one method on one preset: the CLI, the toy experiments and the
 * browser playground all build their trainers here, so a method means the same everywhere.
 */
export function makeTrainer(
  method: MethodName,
  preset: Preset,
  data: TrainerInputs,
  opts: TrainerOptions,
): Trainer {
  const objective =
    opts.objective ??
    makeObjective(
      method,
      { unlabeledX: data.unlabeled.x, featureShape: data.featureShape },
      {
        ...(opts.consistency ? { consistency: opts.consistency } : {}),
        ...(opts.pseudoLabels ? { pseudoLabels: opts.pseudoLabels } : {}),
        ...(opts.ganWeight !== undefined ? { ganWeight: opts.ganWeight } : {}),
      },
    );
  const k = data.classNames.length;
  const rng = new Rng(opts.seed * 7919 + 17);
  const d = preset.makeDiscriminator(objective, k, data.featureShape, rng);
  const g = objective.usesGenerator ? preset.makeGenerator(data.featureShape, rng) : undefined;
  const config: TrainConfig = {
    ...preset.train,
    ...(opts.batchSize ? { batchSize: opts.batchSize, labeledBatchSize: opts.batchSize } : {}),
    ...opts.optimizer,
    ...(opts.augment ? { augment: opts.augment } : {}),
    learningRate: opts.learningRate ?? preset.train.learningRate,
    seed: opts.seed,
  };
  const { featureShape, labeled, unlabeled } = data;
  return new Trainer(objective, d, g, { featureShape, numClasses: k, labeled, unlabeled }, config);
}
