import * as tf from '@tensorflow/tfjs';
import { fusedLogSumExpRows, fusedSoftplus } from '../kernels/wasm-stable.js';

/** log Σ_k exp(l_k) per row, shifted by the row max so ±100 logits neither overflow nor underflow. */
export function logSumExpRows(logits: tf.Tensor2D): tf.Tensor1D {
  const fused = fusedLogSumExpRows(logits);
  if (fused) return fused;
  // the max shift cancels in the gradient, so it needs no special treatment
  const m = tf.max(logits, 1, true);
  return tf.add(tf.log(tf.sum(tf.exp(tf.sub(logits, m)), 1)), tf.reshape(m, [-1])) as tf.Tensor1D;
}

/** softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): finite for any finite x. */
export function softplusStable(x: tf.Tensor): tf.Tensor {
  const fused = fusedSoftplus(x);
  if (fused) return fused;
  return tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
}

/** Mean cross-entropy of softmax(logits) against integer labels. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const picked = tf.sum(tf.mul(logits, tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1])), 1);
  return tf.mean(tf.sub(logSumExpRows(logits), picked));
}
