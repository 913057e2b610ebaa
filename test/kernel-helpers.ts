import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { loadNativeBlas } from '../src/native/openblas.js';
import { Rng } from '../src/random.js';

/** Shared by the kernel tests: random inputs, and a fast op checked against the cpu backend. */
export const rng = new Rng(11);
export const rand = (shape: number[]) => rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
export const native = loadNativeBlas().blas !== null;

export type F = (...xs: tf.Tensor[]) => tf.Tensor;

/** Value and gradients of sum(f(inputs) · g) on a backend, as plain arrays. */
export async function valueAndGrads(
  backend: string,
  f: F,
  inputs: { shape: number[]; data: Float32Array }[],
  g?: Float32Array,
) {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const xs = inputs.map((i) => tf.tensor(i.data, i.shape));
      const y = f(...xs);
      const gt = g ? tf.tensor(g, y.shape) : tf.onesLike(y);
      const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), gt)))(xs);
      return { y: y.dataSync().slice(), shape: y.shape, grads: grads.map((t) => t.dataSync().slice()) };
    });
  } finally {
    await tf.setBackend(previous);
  }
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export async function expectSameAsCpu(
  fast: F,
  reference: F,
  inputs: { shape: number[]; data: Float32Array }[],
) {
  const shape = (await valueAndGrads('cpu', reference, inputs)).shape;
  const g = rand(shape);
  const want = await valueAndGrads('cpu', reference, inputs, g);
  const got = await valueAndGrads('wasm', fast, inputs, g);
  expect(got.shape).toEqual(want.shape);
  expect(maxDiff(got.y, want.y)).toBeLessThan(1e-3);
  want.grads.forEach((w, i) => expect(maxDiff(got.grads[i], w)).toBeLessThan(1e-3));
}
