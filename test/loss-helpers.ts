import * as tf from '@tensorflow/tfjs';

/** Small tensor helpers for loss tests: values computed by hand beside the ones the ops give. */
export const val = (f: () => tf.Scalar) => tf.tidy(() => f().dataSync()[0]);
export const lse = (xs: number[]) => Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));
export const sp = (x: number) => Math.log1p(Math.exp(x));
export const ce = (l: number[], y: number) => lse(l) - l[y];
export const t2 = (rows: number[][]) => tf.tensor2d(rows);
export const labels = (ys: number[]) => tf.tensor1d(ys, 'int32');
