import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.js';
import type { ParamStore } from './params.js';

export interface DiscriminatorOutput {
  /** One logit per class (plus one for "fake" with the naive K+1 head). */
  logits: tf.Tensor2D;
  /** The last hidden layer, the features that feature matching and Bad GAN's pull-away term use. */
  features: tf.Tensor2D;
}

export interface ForwardOptions {
  constantWeights?: boolean;
  constantInput?: boolean;
  /**
   * The batch's parts in row order (labeled ‖ unlabeled ‖ generated …) and whether each is real data. A net
   * with batch statistics normalises every part on its own, so real and generated examples never share
   * statistics, and only real parts move its running averages. Nets without batch statistics ignore it.
   */
  parts?: BatchPart[];
}

export interface BatchPart {
  rows: number;
  real: boolean;
}

/** A classifier that is also the GAN's discriminator. */
export interface Discriminator {
  readonly params: ParamStore;
  readonly inputShape: number[];
  readonly numLogits: number;
  /**
   * Passing an Rng means training mode: noise layers are on and draw from it. The options say what will
   * not be differentiated, so layers may skip those gradients: `constantWeights` in a generator step,
   * `constantInput` in a discriminator step (the input is data). With `constantWeights`, real parts (see
   * `parts`) are constants too: only the generated parts need gradients, so a net may treat them as data.
   */
  forward(x: tf.Tensor, rng?: Rng, opts?: ForwardOptions): DiscriminatorOutput;
  /** Optional data-dependent initialisation on a batch of real examples. */
  initFromData?(x: tf.Tensor, rng?: Rng): void;
  /**
   * The inference-time classifier as a standard tf.layers model: weight norm folded in, noise and dropout
   * off, the first `numClasses` logits through a softmax. What `semigan export` writes.
   */
  toLayersModel?(numClasses: number): tf.LayersModel;
}

export interface Generator {
  readonly params: ParamStore;
  readonly latentSize: number;
  readonly outputShape: number[];
  sampleLatent(n: number, rng: Rng): tf.Tensor2D;
  forward(z: tf.Tensor2D): tf.Tensor;
}
