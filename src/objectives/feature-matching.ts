import * as tf from '@tensorflow/tfjs';
import type { Objective } from './objective.js';

/** ‖E f(x_real) − E f(G(z))‖² averaged over feature units (Salimans et al. 2016, §3.1). */
export function featureMatchingLoss(realFeatures: tf.Tensor2D, fakeFeatures: tf.Tensor2D): tf.Scalar {
  // only generator weights are differentiated, so the real side acts as a constant target
  const mReal = tf.mean(realFeatures, 0);
  const mFake = tf.mean(fakeFeatures, 0);
  return tf.mean(tf.square(tf.sub(mReal, mFake)));
}

/** The same discriminator objective, with the generator trained by feature matching instead. */
export function withFeatureMatching(base: Objective): Objective {
  return {
    ...base,
    name: `${base.name}-fm`,
    generatorLoss: ({ realFeatures, fakeFeatures }) => featureMatchingLoss(realFeatures, fakeFeatures),
  };
}
