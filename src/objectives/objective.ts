import type * as tf from '@tensorflow/tfjs';

export interface DiscriminatorLossInputs {
  /** Logits on the labeled batch and its class indices (int32). */
  labeledLogits: tf.Tensor2D;
  labels: tf.Tensor1D;
  /** Logits on real unlabeled examples; absent for supervised training. */
  unlabeledLogits?: tf.Tensor2D;
  /** Logits on generated examples; absent for supervised training. */
  fakeLogits?: tf.Tensor2D;
  /** Hidden features of the unlabeled batch (Bad GAN uses them). */
  unlabeledFeatures?: tf.Tensor2D;
  /** Logits on further views of the same unlabeled images, in the order of Objective.unlabeledViews. */
  unlabeledViewLogits?: tf.Tensor2D[];
  /** Ramp-up multiplier of the unlabeled consistency and pseudo-label terms for this step (1: full). */
  unlabeledWeight?: number;
}

export interface GeneratorLossInputs {
  fakeLogits: tf.Tensor2D;
  /** Discriminator features of a real unlabeled batch and of the generated batch (feature matching). */
  realFeatures: tf.Tensor2D;
  fakeFeatures: tf.Tensor2D;
  /** The generated examples themselves (Bad GAN's density penalty looks at them). */
  fakeInputs?: tf.Tensor;
}

/**
 * A semi-supervised (or plain GAN) training objective: everything a trainer step needs. Every SSL
 * algorithm in semigan is one of these, so the trainer never branches on the method.
 */
export interface Objective {
  readonly name: string;
  /** Whether unlabeled data and a generator take part (false: supervised baseline). */
  readonly usesGenerator: boolean;
  /**
   * Whether D sees a batch of unlabeled images every step; defaults to usesGenerator. A consistency or
   * pseudo-label method without a generator (pi, fixmatch) sets it alone.
   */
  readonly usesUnlabeled?: boolean;
  /**
   * Further views of the same unlabeled images D sees in each step, after the first: each with its own
   * augmentation, the run's ('weak') or the strong policy on top of it ('strong').
   */
  readonly unlabeledViews?: readonly ViewAugmentation[];
  /** Whether the labeled batch is used (false: an unconditional GAN). */
  readonly usesLabels: boolean;
  /** Number of discriminator outputs for K classes. */
  numLogits(numClasses: number): number;
  discriminatorLoss(inputs: DiscriminatorLossInputs): tf.Scalar;
  generatorLoss(inputs: GeneratorLossInputs): tf.Scalar;
  /** The K class logits used for prediction, from the discriminator's outputs. */
  classLogits(logits: tf.Tensor2D): tf.Tensor2D;
  /** Frees tensors the objective holds (e.g. Bad GAN's density model); the trainer calls it. */
  dispose?(): void;
}

export type ViewAugmentation = 'weak' | 'strong';

/** Whether D sees unlabeled batches under this objective. */
export function usesUnlabeled(o: Objective): boolean {
  return o.usesUnlabeled ?? o.usesGenerator;
}

export function identityClassLogits(logits: tf.Tensor2D): tf.Tensor2D {
  return logits;
}
