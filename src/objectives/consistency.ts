import * as tf from '@tensorflow/tfjs';
import type { Objective } from './objective.js';
import { withUnlabeledTerm } from './unlabeled-term.js';

/**
 * The Π-model's consistency term (Laine & Aila 2017), here on the discriminator of an SSL GAN as in CT-GAN
 * (Wei et al. 2018): the same unlabeled images seen twice, each time with its own augmentation and D's own
 * noise, should get the same class probabilities. Mean over the batch of Σ_k (p_k − p̃_k)²; both passes
 * receive gradient, as in the Π-model.
 */
export function consistencyLoss(classLogits: tf.Tensor2D, otherClassLogits: tf.Tensor2D): tf.Scalar {
  const diff = tf.sub(tf.softmax(classLogits), tf.softmax(otherClassLogits));
  return tf.mean(tf.sum(tf.square(diff), 1));
}

/**
 * The Π-model's ramp-up (Laine & Aila 2017): the weight grows as exp(−5(1 − t)²) over the first `epochs`
 * epochs, then stays at 1. Early on D's predictions are noise, and a full-weight pull between two noisy
 * views can tip the GAN: MNIST seed 2 with weight 1 from step 1 had D's loss at 0.08 and G's at 100 by epoch
 * 13, where the run without the term sat at 0.34 and 5.6. Counted in epochs, as the learning-rate decay is.
 */
export function consistencyRampup(step: number, stepsPerEpoch: number, epochs: number): number {
  if (!(epochs > 0)) return 1;
  const t = Math.min(1, step / (epochs * stepsPerEpoch));
  return Math.exp(-5 * (1 - t) ** 2);
}

/**
 * `base` plus the Π-model term with this weight: one more weakly augmented view of the unlabeled batch,
 * pulled towards the first view's class probabilities. Any objective can take it (CT-GAN's GAN +
 * consistency, or the Π-model alone on a supervised objective: the `pi` method).
 */
export function withConsistency(base: Objective, weight: number): Objective {
  return withUnlabeledTerm(base, 'weak', weight, consistencyLoss);
}
