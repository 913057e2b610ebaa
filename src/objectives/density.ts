import * as tf from '@tensorflow/tfjs';
import { matMulFast } from '../nets/fast-matmul.js';

/** A density model of the real data, for Bad GAN's low-density penalty. */
export interface DensityModel {
  /** log p(x) per row (up to a constant shared with `threshold`). */
  logDensity(x: tf.Tensor2D): tf.Tensor1D;
  /** log p below which a point counts as low-density (Bad GAN: the 10th percentile of real data). */
  readonly threshold: number;
  dispose(): void;
}

/**
 * Gaussian kernel density estimate on the unlabeled examples, for low-dimensional data such as the 2-D
 * toys (Bad GAN uses a PixelCNN++ for images). Bandwidth by Scott's rule unless given.
 */
export function kernelDensity(
  points: Float32Array,
  dims: number,
  bandwidth?: number,
  quantile = 0.1,
): DensityModel {
  const n = points.length / dims;
  let h = bandwidth;
  if (!h) {
    let varSum = 0;
    for (let d = 0; d < dims; d++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += points[i * dims + d];
      mean /= n;
      for (let i = 0; i < n; i++) varSum += (points[i * dims + d] - mean) ** 2;
    }
    h = Math.sqrt(varSum / (n * dims)) * n ** (-1 / (dims + 4));
  }
  const centers = tf.tensor2d(points, [n, dims]);
  const centersT = tf.transpose(centers);
  const inv2h2 = 1 / (2 * h * h);
  const logDensity = (x: tf.Tensor2D) =>
    tf.tidy(() => {
      // ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖²
      const d2 = tf.add(
        tf.sub(tf.sum(tf.square(x), 1, true), tf.mul(2, matMulFast(x, centersT as tf.Tensor2D))),
        tf.reshape(tf.sum(tf.square(centers), 1), [1, n]),
      );
      return tf.logSumExp(tf.mul(d2, -inv2h2), 1) as tf.Tensor1D;
    });
  const real = logDensity(centers);
  const sorted = Array.from(real.dataSync()).sort((a, b) => a - b);
  real.dispose();
  return {
    logDensity,
    threshold: sorted[Math.floor(quantile * (sorted.length - 1))],
    dispose: () => tf.dispose([centers, centersT]),
  };
}
