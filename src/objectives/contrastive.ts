import * as tf from '@tensorflow/tfjs';
import { identityClassLogits, type Objective } from './objective.js';

/**
 * SimCLR's NT-Xent loss (Chen et al. 2020) between two views of the same images: each row of `a` must pick
 * its own partner in `b` out of the 2n − 1 other rows of both views, by cosine similarity over `temperature`.
 * Symmetric: the rows of `b` pick their partners in `a` too.
 */
export function ntXentLoss(a: tf.Tensor2D, b: tf.Tensor2D, temperature: number): tf.Scalar {
  const n = a.shape[0];
  const z = tf.concat([a, b]);
  const unit = tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-8));
  // a row never competes with itself: a large negative on the diagonal removes it from the softmax
  const sim = tf.sub(tf.div(tf.matMul(unit, unit, false, true), temperature), tf.mul(tf.eye(2 * n), 1e9));
  const partner = tf.tensor1d(
    Int32Array.from({ length: 2 * n }, (_, i) => (i < n ? i + n : i - n)),
    'int32',
  );
  const logProbs = tf.logSoftmax(sim);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(partner, 2 * n), logProbs), 1)));
}

export interface ContrastiveOptions {
  /** Width of the projection the loss compares (the discriminator's output layer). */
  projection: number;
  /** Softmax temperature of the similarities. */
  temperature: number;
}

/**
 * Label-free feature learning for label selection: the network's output layer is SimCLR's projection head
 * and its features (before that head) are the representation. Each step compares the unlabeled batch's
 * run-augmented view with its strongly augmented view; no label and no generator take part.
 */
export function contrastive(o: ContrastiveOptions = { projection: 64, temperature: 0.2 }): Objective {
  return {
    name: 'contrastive',
    usesGenerator: false,
    usesUnlabeled: true,
    unlabeledViews: ['strong'],
    usesLabels: false,
    numLogits: () => o.projection,
    discriminatorLoss: ({ unlabeledLogits, unlabeledViewLogits }) => {
      if (!unlabeledLogits || !unlabeledViewLogits?.[0]) throw new Error('contrastive needs two views');
      return ntXentLoss(unlabeledLogits, unlabeledViewLogits[0], o.temperature);
    },
    generatorLoss: () => {
      throw new Error('contrastive learning has no generator');
    },
    classLogits: identityClassLogits,
  };
}
