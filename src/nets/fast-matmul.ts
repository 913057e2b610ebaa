import * as tf from '@tensorflow/tfjs';
import { nativeWasmKernelsInstalled } from '../kernels/native-matmul.js';

/**
 * a @ b with a gradient built from plain matMuls on explicitly transposed operands. tfjs's own gradient
 * calls matMul with transposeA/transposeB, which the wasm backend runs 10–50x slower than the plain form
 * (measured: 27 vs 1.1–2.9 GFLOP/s at 512²). Values and gradients are identical.
 */
export const matMulFast = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      // BLAS reads transposed operands in place: no copies needed
      if (nativeWasmKernelsInstalled() && tf.getBackend() === 'wasm') {
        return [tf.matMul(dy as tf.Tensor2D, sb, false, true), tf.matMul(sa, dy as tf.Tensor2D, true, false)];
      }
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
