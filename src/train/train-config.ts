/** What a Trainer is given (its settings and the data it may see) and what one step reports. */
import type { LabeledSet, UnlabeledSet } from '../data/split.js';
import type { Augmentation } from './augment.js';

export interface TrainConfig {
  /** Unlabeled and generated examples per step. */
  batchSize: number;
  /** Labeled examples per step (the labeled set is cycled to fill it); defaults to batchSize. */
  labeledBatchSize?: number;
  learningRate: number;
  /** Generator learning rate; defaults to learningRate. */
  generatorLearningRate?: number;
  beta1?: number;
  /** Adam's β2 for both nets (default 0.999; Bad GAN's MNIST run: 0.9999). */
  beta2?: number;
  /** Generator's β1; defaults to beta1 (Bad GAN's MNIST run: 0). */
  generatorBeta1?: number;
  seed: number;
  /** Data-dependent weight-norm init on this many unlabeled examples before the first step (0: off). */
  initExamples?: number;
  /** Where Adam's ε goes (see AdamConfig); the Improved GAN preset uses the reference's 'inside'. */
  adamEpsilon?: 'outside' | 'inside';
  /** Evaluate with an exponential moving average of D's weights at this rate (Improved GAN: 1e-4); 0: off. */
  weightAverageRate?: number;
  /**
   * Image augmentation of every real batch D sees (labeled and unlabeled, all methods alike): random
   * flips, shifts, turns and rescaling (see Augmentation).
   */
  augment?: Augmentation;
}

/**
 * What the trainer may see. Note what is absent: the unlabeled set has no labels, so no code path can
 * read them (label honesty by construction).
 */
export interface TrainData {
  featureShape: number[];
  numClasses: number;
  labeled: LabeledSet;
  unlabeled: UnlabeledSet;
}

export interface StepLosses {
  step: number;
  d: number;
  g: number;
}
