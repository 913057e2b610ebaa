import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

describe('Adam', () => {
  it("matches the textbook update, and the reference's ε-inside form damps tiny gradients", async () => {
    const { Adam } = await import('../src/train/adam.js');
    const run = (placement: 'outside' | 'inside', grad: number) => {
      const v = tf.variable(tf.scalar(1));
      const opt = new Adam([{ key: 'w', variable: v }], {
        learningRate: 0.1,
        beta1: 0.5,
        epsilonPlacement: placement,
      });
      const g = tf.scalar(grad);
      opt.apply({ [v.name]: g });
      const out = v.dataSync()[0];
      tf.dispose([v, g]);
      opt.dispose();
      return out;
    };
    // first step: m̂ = g, v̂ = g², so the textbook step is lr·sign(g)
    expect(run('outside', 0.3)).toBeCloseTo(0.9, 5);
    expect(run('outside', 1e-6)).toBeCloseTo(1 - (0.1 * 1e-6) / (1e-6 + 1e-8), 5);
    // inside: lr·g/√(g² + 1e-8): full step for large g, ≈ lr·g/1e-4 for tiny g
    expect(run('inside', 0.3)).toBeCloseTo(0.9, 5);
    expect(run('inside', 1e-6)).toBeCloseTo(1 - (0.1 * 1e-6) / Math.sqrt(1e-12 + 1e-8), 5);
  });

  it('on wasm updates each variable with one fused kernel, matching the tf-op form on cpu', async () => {
    const { Adam } = await import('../src/train/adam.js');
    const n = 1000;
    const init = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const grads = [1, 2, 3].map((s) =>
      Float32Array.from({ length: n }, (_, i) => Math.cos(i * s) * 10 ** -s),
    );
    const train = async (backend: string, placement: 'outside' | 'inside') => {
      await tf.setBackend(backend);
      const v = tf.variable(tf.tensor1d(init));
      const opt = new Adam([{ key: 'w', variable: v }], { learningRate: 0.01, epsilonPlacement: placement });
      let kernels = 0;
      for (const g of grads) {
        const gt = tf.tensor1d(g);
        kernels = (await tf.profile(() => opt.apply({ [v.name]: gt }))).kernels.length;
        gt.dispose();
      }
      const out = v.dataSync().slice();
      v.dispose();
      opt.dispose();
      return { out, kernels };
    };
    try {
      for (const placement of ['outside', 'inside'] as const) {
        const fused = await train('wasm', placement);
        const ops = await train('cpu', placement);
        expect(fused.kernels).toBe(1);
        expect(ops.kernels).toBeGreaterThan(5);
        for (let i = 0; i < n; i++) expect(fused.out[i]).toBeCloseTo(ops.out[i], 6);
      }
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
