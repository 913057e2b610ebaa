import * as tf from '@tensorflow/tfjs';
import type { Objective } from './objective.js';
import { withUnlabeledTerm } from './unlabeled-term.js';

export interface PseudoLabelOptions {
  /** Weight of the term (FixMatch's λu: 1). */
  weight: number;
  /** Confidence a weak view's prediction needs before it becomes a target (FixMatch: 0.95). */
  threshold: number;
}

/**
 * FixMatch's unlabeled term (Sohn et al. 2020): where the weakly augmented view's most likely class has
 * probability ≥ threshold, that class is the target of the strongly augmented view's cross-entropy; other
 * images add nothing. Averaged over the whole batch, as FixMatch does. The targets come from argmax and a
 * comparison, so no gradient flows back through the weak view.
 */
export function pseudoLabelLoss(
  weakClassLogits: tf.Tensor2D,
  strongClassLogits: tf.Tensor2D,
  threshold: number,
): tf.Scalar {
  const k = weakClassLogits.shape[1];
  const probs = tf.softmax(weakClassLogits);
  const confident = tf.cast(tf.greaterEqual(tf.max(probs, 1), threshold), 'float32');
  const target = tf.oneHot(tf.argMax(probs, 1), k);
  const logProbs = tf.logSoftmax(strongClassLogits);
  const perImage = tf.neg(tf.sum(tf.mul(target, logProbs), 1));
  return tf.mean(tf.mul(perImage, confident));
}

/**
 * `base` plus FixMatch's pseudo-label term: one more view of the unlabeled batch under the strong
 * augmentation policy, trained towards the confident predictions on the first (weak) view.
 */
export function withPseudoLabels(base: Objective, o: PseudoLabelOptions): Objective {
  return withUnlabeledTerm(base, 'strong', o.weight, (weak, strong) =>
    pseudoLabelLoss(weak, strong, o.threshold),
  );
}
