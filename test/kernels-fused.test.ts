import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeBlas } from '../src/native/openblas.js';
import { fusedBatchNorm, setNativeBatchNorm } from '../src/kernels/wasm-batch-norm.js';
import { fusedDense, setNativeDense, type DenseGradients } from '../src/kernels/wasm-dense.js';
import { expectSameAsCpu, rand } from './kernel-helpers.js';

describe('fused batch norm', () => {
  // the op form BatchNorm uses on backends without the fused kernels
  const reference = (x: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor) => {
    const { mean, variance } = tf.moments(
      x,
      x.shape.slice(0, -1).map((_, i) => i),
    );
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(gamma ? tf.mul(normed, gamma) : normed, beta);
  };
  const blas = loadNativeBlas().blas;
  const nativeBn =
    blas?.batchNorm && blas.batchNormGrad
      ? { batchNorm: blas.batchNorm, batchNormGrad: blas.batchNormGrad }
      : undefined;
  afterAll(() => setNativeBatchNorm(nativeBn));
  // the JavaScript kernels always (browsers run them); the C++ ones where the addon is built
  for (const path of nativeBn ? ['js', 'native'] : ['js']) {
    it(`${path}: matches the op form on the cpu backend: values and gradients, with and without a scale and an activation`, async () => {
      setNativeBatchNorm(path === 'native' ? nativeBn : undefined);
      const fused = (x: tf.Tensor, g: tf.Tensor | undefined, b: tf.Tensor, alpha = 1) => {
        const y = fusedBatchNorm(x, g, b, 1e-5, alpha);
        if (!y) throw new Error('the fused kernel is not installed on wasm');
        return y;
      };
      for (const shape of [
        [50, 7],
        [4, 5, 6, 8],
      ]) {
        const c = shape[shape.length - 1];
        // an offset and a scale far from 0 and 1, as pre-activations have
        const x = { shape, data: rand(shape).map((v, i) => 3 + 2 * v + (i % c)) };
        const g = { shape: [c], data: rand([c]) };
        const b = { shape: [c], data: rand([c]) };
        await expectSameAsCpu(
          (xi, gi, bi) => fused(xi, gi, bi),
          (xi, gi, bi) => reference(xi, gi, bi),
          [x, g, b],
        );
        await expectSameAsCpu(
          (xi, bi) => fused(xi, undefined, bi),
          (xi, bi) => reference(xi, undefined, bi),
          [x, b],
        );
        // with the activation folded in (ReLU, leaky ReLU)
        for (const alpha of [0, 0.2]) {
          await expectSameAsCpu(
            (xi, gi, bi) => fused(xi, gi, bi, alpha),
            (xi, gi, bi) => tf.leakyRelu(reference(xi, gi, bi), alpha),
            [x, g, b],
          );
        }
      }
    });
  }
});

describe('fused dense layer', () => {
  const blas = loadNativeBlas().blas;
  const nativeDense =
    blas?.denseForward && blas.denseBackward
      ? { denseForward: blas.denseForward, denseBackward: blas.denseBackward }
      : undefined;
  afterAll(() => setNativeDense(nativeDense));
  for (const path of nativeDense ? ['js', 'native'] : ['js']) {
    it(`${path}: matches the op form on the cpu backend: weight norm or not, linear, ReLU and leaky ReLU`, async () => {
      setNativeDense(path === 'native' ? nativeDense : undefined);
      const x = { shape: [37, 11], data: rand([37, 11]) };
      const v = { shape: [11, 9], data: rand([11, 9]) };
      const g = { shape: [9], data: rand([9]).map((e) => 1 + Math.abs(e)) };
      const b = { shape: [9], data: rand([9]) };
      const fused = (...t: (tf.Tensor | undefined)[]) => {
        const y = fusedDense(t[0] as tf.Tensor2D, t[1]!, t[2], t[3]!, t[4] as unknown as number);
        if (!y) throw new Error('the fused kernel is not installed on wasm');
        return y;
      };
      for (const alpha of [1, 0, 0.2]) {
        const act = (p: tf.Tensor) => (alpha === 1 ? p : tf.leakyRelu(p, alpha));
        const norm = (vi: tf.Tensor) => tf.sqrt(tf.add(tf.sum(tf.square(vi), 0, true), 1e-12));
        await expectSameAsCpu(
          (xi, vi, gi, bi) => fused(xi, vi, gi, bi, alpha as unknown as tf.Tensor),
          (xi, vi, gi, bi) =>
            act(tf.add(tf.matMul(xi as tf.Tensor2D, tf.mul(vi, tf.div(gi, norm(vi))) as tf.Tensor2D), bi)),
          [x, v, g, b],
        );
        await expectSameAsCpu(
          (xi, vi, bi) => fused(xi, vi, undefined, bi, alpha as unknown as tf.Tensor),
          (xi, vi, bi) => act(tf.add(tf.matMul(xi as tf.Tensor2D, vi as tf.Tensor2D), bi)),
          [x, v, b],
        );
      }
    });

    it(`${path}: constant weights or a constant input: the same value and the wanted gradients, bit for bit`, async () => {
      setNativeDense(path === 'native' ? nativeDense : undefined);
      const previous = tf.getBackend();
      await tf.setBackend('wasm');
      try {
        const x = tf.tensor2d(rand([29, 13]), [29, 13]);
        const v = tf.tensor2d(rand([13, 7]), [13, 7]);
        const g = tf.tensor1d(rand([7]).map((e) => 1 + Math.abs(e)));
        const b = tf.tensor1d(rand([7]));
        const dy = tf.tensor2d(rand([29, 7]), [29, 7]);
        for (const alpha of [1, 0, 0.2]) {
          for (const gi of [g, undefined]) {
            const given: Record<string, tf.Tensor | undefined> = { x, v, g: gi, b };
            // value and the gradients with respect to `names`, computed in mode `wants`
            const run = (wants: DenseGradients, names: string[]) =>
              tf.tidy(() => {
                const f = (...ts: tf.Tensor[]) => {
                  const t = { ...given };
                  names.forEach((name, i) => (t[name] = ts[i]));
                  return tf.sum(tf.mul(fusedDense(t.x as tf.Tensor2D, t.v!, t.g, t.b!, alpha, wants)!, dy));
                };
                const y = fusedDense(x, v, gi, b, alpha, wants)!;
                const grads = tf.grads(f)(names.map((name) => given[name]!));
                return [y, ...grads].map((r) => Array.from(r.dataSync()));
              });
            const weights = gi ? ['v', 'g', 'b'] : ['v', 'b'];
            const before = tf.memory().numTensors;
            expect(run('input', ['x'])).toEqual(run('all', ['x']));
            expect(run('weights', weights)).toEqual(run('all', weights));
            expect(tf.memory().numTensors).toBe(before);
          }
        }
        tf.dispose([x, v, g, b, dy]);
      } finally {
        await tf.setBackend(previous);
      }
    });
  }
});
