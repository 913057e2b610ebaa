import * as tf from '@tensorflow/tfjs';
import { identityClassLogits, type Objective } from './objective.js';
import { logSumExpRows, softmaxCrossEntropy, softplusStable } from './stable.js';

export interface KLogitOptions {
  /** Weight of the unsupervised (unlabeled + fake) part relative to the labeled cross-entropy. */
  unlabeledWeight?: number;
}

/**
 * Salimans et al. 2016: K class logits l_k and D(x) = Z/(Z+1), Z = Σ exp(l_k), i.e. the K+1-class softmax
 * with the fake logit fixed at 0. With s = lse(l):
 *   unlabeled: −log D(x) = −s + softplus(s);   fake: −log(1 − D(G(z))) = softplus(s_fake).
 * The ½ factors follow the reference code. Generator: non-saturating −log D(G(z)) = softplus(−s_fake).
 */
export function kLogit(opts: KLogitOptions = {}): Objective {
  const w = opts.unlabeledWeight ?? 1;
  return {
    name: 'klogit',
    usesGenerator: true,
    usesLabels: true,
    numLogits: (k) => k,
    discriminatorLoss: ({ labeledLogits, labels, unlabeledLogits, fakeLogits }) => {
      if (!unlabeledLogits || !fakeLogits) throw new Error('klogit needs unlabeled and fake batches');
      const sUnl = logSumExpRows(unlabeledLogits);
      const sFake = logSumExpRows(fakeLogits);
      const unl = tf.mean(tf.add(tf.neg(sUnl), softplusStable(sUnl)));
      const fake = tf.mean(softplusStable(sFake));
      const unsup = tf.mul(0.5, tf.add(unl, fake));
      return tf.add(softmaxCrossEntropy(labeledLogits, labels), tf.mul(w, unsup)) as tf.Scalar;
    },
    generatorLoss: ({ fakeLogits }) =>
      tf.mean(softplusStable(tf.neg(logSumExpRows(fakeLogits)))) as tf.Scalar,
    classLogits: identityClassLogits,
  };
}
