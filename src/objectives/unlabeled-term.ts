import * as tf from '@tensorflow/tfjs';
import type { Objective, ViewAugmentation } from './objective.js';

/**
 * `base` plus a term on two views of the unlabeled batch: the first view D sees every step, and one more view
 * under `augmentation` that this term adds (after the views `base` already has). The term gets both views'
 * class logits and is scaled by `weight` and the step's ramp-up (unlabeledWeight). The Π-model's consistency
 * and FixMatch's pseudo-labels are both of this form.
 */
export function withUnlabeledTerm(
  base: Objective,
  augmentation: ViewAugmentation,
  weight: number,
  term: (firstView: tf.Tensor2D, addedView: tf.Tensor2D) => tf.Scalar,
): Objective {
  const view = base.unlabeledViews?.length ?? 0;
  return {
    ...base,
    usesUnlabeled: true,
    unlabeledViews: [...(base.unlabeledViews ?? []), augmentation],
    discriminatorLoss: (inputs) => {
      const loss = base.discriminatorLoss(inputs);
      const { unlabeledLogits, unlabeledViewLogits, unlabeledWeight = 1 } = inputs;
      if (!unlabeledLogits || !unlabeledViewLogits?.[view])
        throw new Error('the trainer gave too few unlabeled views');
      const value = term(base.classLogits(unlabeledLogits), base.classLogits(unlabeledViewLogits[view]));
      return tf.add(loss, tf.mul(weight * unlabeledWeight, value)) as tf.Scalar;
    },
  };
}
