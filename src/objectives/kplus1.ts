import * as tf from '@tensorflow/tfjs';
import type { Objective } from './objective.js';
import { logSumExpRows, softmaxCrossEntropy } from './stable.js';

export interface KPlusOneOptions {
  unlabeledWeight?: number;
  /**
   * Which softmax the labeled cross-entropy uses: over all K+1 logits as the naive head does ('all'), or
   * over the K class logits only as the K-logit head does ('classes'; an ablation that separates the two
   * heads' losses from their parametrisation).
   */
  labeledOver?: 'all' | 'classes';
}

/**
 * The naive head: K+1 free logits, the last meaning "fake". Unlabeled real: −log(1 − p_fake); fake:
 * −log p_fake; generator: −log(1 − p_fake(G(z))). Equal to the K-logit form up to the redundant
 * (K+1)-th degree of freedom, which is exactly what makes it train worse: kept as the comparison.
 */
export function kPlusOne(opts: KPlusOneOptions = {}): Objective {
  const w = opts.unlabeledWeight ?? 1;
  const overClasses = opts.labeledOver === 'classes';
  const realPart = (l: tf.Tensor2D) => tf.slice(l, [0, 0], [-1, l.shape[1] - 1]) as tf.Tensor2D;
  const fakeLogit = (l: tf.Tensor2D) => tf.reshape(tf.slice(l, [0, l.shape[1] - 1], [-1, 1]), [-1]);
  // −log(1 − p_fake) = lse(all) − lse(real part)
  const notFakeNll = (l: tf.Tensor2D) => tf.sub(logSumExpRows(l), logSumExpRows(realPart(l)));
  return {
    name: 'kplus1',
    usesGenerator: true,
    usesLabels: true,
    numLogits: (k) => k + 1,
    discriminatorLoss: ({ labeledLogits, labels, unlabeledLogits, fakeLogits }) => {
      if (!unlabeledLogits || !fakeLogits) throw new Error('kplus1 needs unlabeled and fake batches');
      const unl = tf.mean(notFakeNll(unlabeledLogits));
      const fake = tf.mean(tf.sub(logSumExpRows(fakeLogits), fakeLogit(fakeLogits)));
      const unsup = tf.mul(0.5, tf.add(unl, fake));
      const ce = softmaxCrossEntropy(overClasses ? realPart(labeledLogits) : labeledLogits, labels);
      return tf.add(ce, tf.mul(w, unsup)) as tf.Scalar;
    },
    generatorLoss: ({ fakeLogits }) => tf.mean(notFakeNll(fakeLogits)) as tf.Scalar,
    classLogits: realPart,
  };
}
