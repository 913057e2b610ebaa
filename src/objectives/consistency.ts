import * as tf from '@tensorflow/tfjs';

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
