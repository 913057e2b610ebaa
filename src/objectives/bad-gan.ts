import * as tf from '@tensorflow/tfjs';
import { matMulFast } from '../nets/fast-matmul.js';
import type { DensityModel } from './density.js';
import { featureMatchingLoss } from './feature-matching.js';
import { kLogit } from './klogit.js';
import type { Objective } from './objective.js';

export interface BadGanOptions {
  /** Weight of the K-logit real/fake part against the labeled cross-entropy (default 1). */
  unlabeledWeight?: number;
  /** Conditional-entropy minimisation on unlabeled data (Dai et al.: 0.1 on SVHN). */
  entropyWeight?: number;
  /** Pull-away term on generated features, spreading the complement samples (0.8 on SVHN). */
  pullAwayWeight?: number;
  /** Penalty on generated samples above the density threshold (1e-4 with a PixelCNN on MNIST). */
  lowDensityWeight?: number;
  /**
   * Keeps samples within reach of the data: a sample whose log density is more than this many nats below the
   * threshold is pulled back (hinge, weight `supportWeight`). The complement the theory asks for is bounded
   * (Bad GAN's feature space is); in an unbounded input space such as the plane, fakes otherwise escape to
   * the far side of the data, where they teach the boundary nothing. Off when absent.
   */
  supportFloor?: number;
  supportWeight?: number;
  density?: DensityModel;
}

/** −mean Σ_k p_k log p_k of softmax(logits): low when predictions are confident. */
export function conditionalEntropy(logits: tf.Tensor2D): tf.Scalar {
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logp), logp), 1)));
}

/** EBGAN's pull-away term: mean squared cosine similarity between distinct generated feature vectors. */
export function pullAway(features: tf.Tensor2D): tf.Scalar {
  const n = features.shape[0];
  const unit = tf.div(features, tf.add(tf.norm(features, 'euclidean', 1, true), 1e-8));
  const sim = matMulFast(unit as tf.Tensor2D, tf.transpose(unit) as tf.Tensor2D);
  // the diagonal holds n ones (|cos| = 1); remove it exactly
  return tf.div(
    tf.sub(tf.sum(tf.square(sim)), tf.sum(tf.square(tf.sum(tf.mul(unit, unit), 1)))),
    n * (n - 1),
  );
}

/**
 * Bad GAN (Dai et al. 2017): a deliberately "bad", complement generator that fills the low-density gaps
 * between classes, so the K-logit discriminator puts its boundary there. D: K-logit loss + conditional
 * entropy on unlabeled data. G: feature matching + pull-away + low-density penalty.
 */
export function badGan(opts: BadGanOptions = {}): Objective {
  const base = kLogit({ unlabeledWeight: opts.unlabeledWeight });
  const ent = opts.entropyWeight ?? 0.1;
  const pt = opts.pullAwayWeight ?? 0.8;
  const ld = opts.lowDensityWeight ?? 0;
  const sw = opts.supportFloor === undefined ? 0 : (opts.supportWeight ?? 1);
  return {
    ...base,
    name: 'badgan',
    discriminatorLoss: (inputs) => {
      const loss = base.discriminatorLoss(inputs);
      if (!ent || !inputs.unlabeledLogits) return loss;
      return tf.add(loss, tf.mul(ent, conditionalEntropy(inputs.unlabeledLogits))) as tf.Scalar;
    },
    generatorLoss: ({ realFeatures, fakeFeatures, fakeInputs }) => {
      let loss: tf.Tensor = featureMatchingLoss(realFeatures, fakeFeatures);
      if (pt) loss = tf.add(loss, tf.mul(pt, pullAway(fakeFeatures)));
      if ((ld || sw) && opts.density && fakeInputs) {
        const { threshold } = opts.density;
        const logp = opts.density.logDensity(
          tf.reshape(fakeInputs, [fakeInputs.shape[0], -1]) as tf.Tensor2D,
        );
        // only samples denser than the threshold are pushed away (hinge), as in the reference
        if (ld) loss = tf.add(loss, tf.mul(ld, tf.mean(tf.relu(tf.sub(logp, threshold)))));
        if (sw) {
          const floor = threshold - (opts.supportFloor ?? 0);
          loss = tf.add(loss, tf.mul(sw, tf.mean(tf.relu(tf.sub(floor, logp)))));
        }
      }
      return loss as tf.Scalar;
    },
    dispose: () => opts.density?.dispose(),
  };
}
