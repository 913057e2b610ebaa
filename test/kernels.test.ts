import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { backendAcceleration } from '../src/backend.js';
import { conv2d, conv2dTranspose, setNativeConvKernels } from '../src/nets/fast-conv.js';
import { addBias, lastAxisNorm, leakyRelu } from '../src/nets/fast-ops.js';
import { loadNativeBlas } from '../src/native/openblas.js';
import { fusedLogSumExpRows, fusedSoftplus } from '../src/kernels/wasm-stable.js';
import { expectSameAsCpu, maxDiff, native, rand, rng, valueAndGrads, type F } from './kernel-helpers.js';

describe('convolutions with rewritten gradients match the cpu backend', () => {
  const blas = loadNativeBlas().blas;
  afterAll(() => {
    setNativeConvKernels(native && blas?.conv !== undefined);
    blas?.useDnnl?.(true);
  });
  // the pure-wasm rewrites always; the addon's im2col + OpenBLAS kernels where it is built; oneDNN's where
  // libdnnl is there too
  const dnnl = blas?.useDnnl?.(true) ?? false;
  const paths = ['rewrite', ...(native ? ['im2col'] : []), ...(dnnl ? ['oneDNN'] : [])];
  for (const path of paths) {
    it(`${path}: conv2d and conv2dTranspose on random shapes, strides and paddings`, async () => {
      setNativeConvKernels(path !== 'rewrite');
      if (path !== 'rewrite') expect(blas!.useDnnl?.(path === 'oneDNN') ?? false).toBe(path === 'oneDNN');
      // 24 random cases, then one with stride 2 on an even height and odd width, whose 'same' padding differs
      // between top and left
      for (let t = 0; t < 25; t++) {
        const kh = t === 24 ? 3 : 1 + rng.int(4);
        const kw = t === 24 ? 2 : 1 + rng.int(4);
        // stride ≤ kernel: tfjs-backend-wasm's own Conv2D is wrong for stride > kernel with 'same'
        const s = t === 24 ? 2 : 1 + rng.int(Math.min(3, kh, kw));
        const pad = t === 24 || rng.int(2) ? 'same' : 'valid';
        const [n, h, w, ci, co] = [
          1 + rng.int(3),
          t === 24 ? 8 : kh + rng.int(8),
          t === 24 ? 7 : kw + rng.int(8),
          1 + rng.int(4),
          1 + rng.int(4),
        ];
        const x = { shape: [n, h, w, ci], data: rand([n, h, w, ci]) };
        const wt = { shape: [kh, kw, ci, co], data: rand([kh, kw, ci, co]) };
        const conv: F = (a, b) => conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad);
        const ref: F = (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad);
        await expectSameAsCpu(conv, ref, [x, wt]);
        const yShape = (await valueAndGrads('cpu', ref, [x, wt])).shape;
        const dy = { shape: yShape, data: rand(yShape) };
        const tr: F = (a, b) => conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, x.shape, s, pad);
        const trRef: F = (a, b) =>
          tf.conv2dTranspose(
            a as tf.Tensor4D,
            b as tf.Tensor4D,
            x.shape as [number, number, number, number],
            s,
            pad,
          );
        await expectSameAsCpu(tr, trRef, [dy, wt]);
      }
    });
  }
});

describe('matrix products', () => {
  it('every transpose and batch form matches the cpu backend', async () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[7, 5], [5, 3], false, false],
      [[5, 7], [5, 3], true, false],
      [[7, 5], [3, 5], false, true],
      [[5, 7], [3, 5], true, true],
      [[2, 2, 7, 5], [2, 2, 3, 5], false, true],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const f: F = (a, b) => tf.matMul(a, b, ta, tb);
      await expectSameAsCpu(f, f, [
        { shape: sa, data: rand(sa) },
        { shape: sb, data: rand(sb) },
      ]);
    }
  });

  it('broadcasts one matrix over a batch (values: tfjs has no gradient for this form)', async () => {
    for (const [sa, sb] of [
      [
        [4, 7, 5],
        [5, 3],
      ],
      [
        [7, 5],
        [4, 5, 3],
      ],
    ]) {
      const a = rand(sa);
      const b = rand(sb);
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb)).dataSync().slice());
      };
      const want = await run('cpu');
      const got = await run('wasm');
      expect(maxDiff(got, want)).toBeLessThan(1e-4);
    }
  });

  it('reports what accelerates the wasm backend', () => {
    expect(backendAcceleration()).toMatch(native ? /^OpenBLAS: / : /^none \(/);
  });
});

describe('elementwise ops with hand-written gradients', () => {
  it('leakyRelu, addBias and lastAxisNorm match the built-in ops', async () => {
    const x = { shape: [3, 4, 5, 6], data: rand([3, 4, 5, 6]) };
    const b = { shape: [6], data: rand([6]) };
    for (const alpha of [0, 0.2]) {
      await expectSameAsCpu(
        (a) => leakyRelu(a, alpha),
        (a) => tf.leakyRelu(a, alpha),
        [x],
      );
    }
    await expectSameAsCpu(
      (a, c) => addBias(a, c as tf.Tensor1D),
      (a, c) => tf.add(a, c),
      [x, b],
    );
    await expectSameAsCpu(
      (a) => lastAxisNorm(a),
      (a) => tf.sqrt(tf.add(tf.sum(tf.square(a), [0, 1, 2], true), 1e-12)),
      [x],
    );
  });
});

describe('fused log-sum-exp and softplus', () => {
  it('match the op form on the cpu backend, values and gradients, for logits up to ±90', async () => {
    const x = {
      shape: [40, 3],
      data: rand([40, 3]).map((v, i) => (i % 7 === 0 ? 90 * Math.sign(v) : 4 * v)),
    };
    const must = <T>(t: T | undefined) => {
      if (!t) throw new Error('the fused kernel is not installed on wasm');
      return t;
    };
    await expectSameAsCpu(
      (a) => must(fusedLogSumExpRows(a as tf.Tensor2D)),
      (a) => tf.logSumExp(a, 1),
      [x],
    );
    await expectSameAsCpu(
      (a) => must(fusedSoftplus(a)),
      (a) => tf.add(tf.relu(a), tf.log1p(tf.exp(tf.neg(tf.abs(a))))),
      [x],
    );
  });
});
