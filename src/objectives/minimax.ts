import * as tf from '@tensorflow/tfjs';
import type { Objective } from './objective.js';
import { softplusStable } from './stable.js';

/**
 * Goodfellow et al. 2014: one "real" logit, binary cross-entropy; the generator uses the non-saturating
 * form −log D(G(z)). Learns to generate, not to classify: classLogits returns the realness logit.
 */
export function minimax(): Objective {
  const col = (l: tf.Tensor2D) => tf.reshape(l, [-1]);
  return {
    name: 'gan',
    usesGenerator: true,
    usesLabels: false,
    numLogits: () => 1,
    discriminatorLoss: ({ unlabeledLogits, fakeLogits }) => {
      if (!unlabeledLogits || !fakeLogits) throw new Error('minimax GAN needs real and fake batches');
      // −log σ(l_real) − log(1 − σ(l_fake)) = softplus(−l_real) + softplus(l_fake)
      return tf.add(
        tf.mean(softplusStable(tf.neg(col(unlabeledLogits)))),
        tf.mean(softplusStable(col(fakeLogits))),
      ) as tf.Scalar;
    },
    generatorLoss: ({ fakeLogits }) => tf.mean(softplusStable(tf.neg(col(fakeLogits)))) as tf.Scalar,
    classLogits: (l) => l,
  };
}
