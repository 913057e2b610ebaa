import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadNativeBlas } from '../src/native/openblas.js';
import { fusedAdam, setNativeAdam } from '../src/kernels/wasm-adam.js';
import { fusedAverage, setNativeAverage } from '../src/kernels/wasm-average.js';
import { fusedBiasAct, fusedBiasTanh } from '../src/kernels/wasm-bias-act.js';
import { expectSameAsCpu, native, rand, valueAndGrads } from './kernel-helpers.js';

describe('fused bias + leaky ReLU (addon)', () => {
  it.skipIf(!native)('matches the op form on the cpu backend, values and gradients', async () => {
    const x = { shape: [6, 5, 4, 24], data: rand([6, 5, 4, 24]) };
    const b = { shape: [24], data: rand([24]) };
    for (const alpha of [0, 0.2]) {
      await expectSameAsCpu(
        (xi, bi) => {
          const y = fusedBiasAct(xi, bi, alpha);
          if (!y) throw new Error('the fused kernel is not installed');
          return y;
        },
        (xi, bi) => tf.leakyRelu(tf.add(xi, bi), alpha),
        [x, b],
      );
    }
  });
  it.skipIf(!native)('tanh(x + b) matches the op form on the cpu backend, values and gradients', async () => {
    const x = { shape: [5, 6, 7, 3], data: rand([5, 6, 7, 3]).map((v) => 3 * v) };
    const b = { shape: [3], data: rand([3]) };
    await expectSameAsCpu(
      (xi, bi) => {
        const y = fusedBiasTanh(xi, bi);
        if (!y) throw new Error('the fused kernel is not installed');
        return y;
      },
      (xi, bi) => tf.tanh(tf.add(xi, bi)),
      [x, b],
    );
  });
});

describe('native passes on two threads (addon)', () => {
  const blas = loadNativeBlas().blas;
  it.skipIf(!blas?.binary)(
    'same-shape Add, Sub and Multiply match the cpu backend exactly; broadcasts still work',
    async () => {
      const a = rand([300, 1000]);
      const b = rand([300, 1000]);
      const row = rand([1000]);
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const [ta, tb, tr] = [tf.tensor(a, [300, 1000]), tf.tensor(b, [300, 1000]), tf.tensor(row, [1000])];
          return [tf.add(ta, tb), tf.sub(ta, tb), tf.mul(ta, tb), tf.add(ta, tr), tf.mul(ta, tr)].map((t) =>
            Array.from(t.dataSync()),
          );
        });
      };
      const wasm = await run('wasm');
      const cpu = await run('cpu');
      await tf.setBackend('wasm');
      for (let i = 0; i < wasm.length; i++) expect(wasm[i]).toEqual(cpu[i]);
    },
  );
  it.skipIf(!blas?.adam)(
    'Adam: the addon gives the same bits as the JavaScript loop, on one thread or two, ε inside or outside',
    async () => {
      await tf.setBackend('wasm');
      const n = 100_000; // above the addon's 65 536-element grain: two chunks on two threads
      const [p, m, g] = [rand([n]), rand([n]), rand([n])];
      const v = rand([n]).map((e) => e * e);
      const update = (epsilonInside: boolean) =>
        tf.tidy(() => {
          const attrs = { beta1: 0.5, beta2: 0.999, stepSize: 0.0031, epsilon: 1e-8, epsilonInside };
          const out = fusedAdam(tf.tensor(p), tf.tensor(m), tf.tensor(v), tf.tensor(g), attrs)!;
          return out.map((t) => Array.from(t.dataSync()));
        });
      for (const inside of [true, false]) {
        setNativeAdam(undefined);
        const js = update(inside);
        setNativeAdam(blas!.adam);
        const threads = blas!.setThreads(1);
        const one = update(inside);
        blas!.setThreads(Math.max(threads, 2));
        const two = update(inside);
        blas!.setThreads(threads);
        expect(one).toEqual(js);
        expect(two).toEqual(js);
        expect(js[0]).not.toEqual(Array.from(p));
      }
    },
  );
  it('weight average step a + r(p − a): one kernel, the same bits as the three tf ops, in the addon or not', async () => {
    await tf.setBackend('wasm');
    const n = 100_000;
    const [a, p] = [rand([n]), rand([n]).map((e) => e * 3)];
    const step = (fused: boolean) =>
      tf.tidy(() => {
        const [ta, tp] = [tf.tensor(a), tf.tensor(p)];
        const out = fused ? fusedAverage(ta, tp, 1e-4)! : tf.add(ta, tf.mul(tf.sub(tp, ta), 1e-4));
        return Array.from(out.dataSync());
      });
    const reference = step(false);
    expect(reference).not.toEqual(Array.from(a));
    setNativeAverage(undefined);
    expect(step(true)).toEqual(reference);
    if (blas?.average) {
      setNativeAverage(blas.average);
      const threads = blas.setThreads(1);
      expect(step(true)).toEqual(reference);
      blas.setThreads(Math.max(threads, 2));
      expect(step(true)).toEqual(reference);
      blas.setThreads(threads);
    }
  });
  it.skipIf(!blas)(
    'bias + leaky ReLU on a batch-sized tensor: matches cpu, same bits on one thread or two',
    async () => {
      const x = { shape: [48, 32, 32, 16], data: rand([48, 32, 32, 16]) };
      const b = { shape: [16], data: rand([16]) };
      const fused = (xi: tf.Tensor, bi: tf.Tensor) => fusedBiasAct(xi, bi, 0.2) ?? tf.neg(xi);
      await expectSameAsCpu(fused, (xi, bi) => tf.leakyRelu(tf.add(xi, bi), 0.2), [x, b]);
      const threads = blas!.setThreads(1);
      const one = await valueAndGrads('wasm', fused, [x, b]);
      blas!.setThreads(Math.max(threads, 2));
      const two = await valueAndGrads('wasm', fused, [x, b]);
      blas!.setThreads(threads);
      expect(Array.from(two.y)).toEqual(Array.from(one.y));
      expect(two.grads.map((g) => Array.from(g))).toEqual(one.grads.map((g) => Array.from(g)));
    },
  );
});
