import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { backendAcceleration } from '../src/backend.js';
import { conv2d, conv2dTranspose, setNativeConvKernels } from '../src/nets/fast-conv.js';
import { addBias, lastAxisNorm, leakyRelu } from '../src/nets/fast-ops.js';
import { loadNativeBlas } from '../src/native/openblas.js';
import { Rng } from '../src/random.js';

const rng = new Rng(11);
const rand = (shape: number[]) => rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
const native = loadNativeBlas().blas !== null;

type F = (...xs: tf.Tensor[]) => tf.Tensor;

/** Value and gradients of sum(f(inputs) · g) on a backend, as plain arrays. */
async function valueAndGrads(
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

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function expectSameAsCpu(fast: F, reference: F, inputs: { shape: number[]; data: Float32Array }[]) {
  const shape = (await valueAndGrads('cpu', reference, inputs)).shape;
  const g = rand(shape);
  const want = await valueAndGrads('cpu', reference, inputs, g);
  const got = await valueAndGrads('wasm', fast, inputs, g);
  expect(got.shape).toEqual(want.shape);
  expect(maxDiff(got.y, want.y)).toBeLessThan(1e-3);
  want.grads.forEach((w, i) => expect(maxDiff(got.grads[i], w)).toBeLessThan(1e-3));
}

describe('convolutions with rewritten gradients match the cpu backend', () => {
  afterAll(() => setNativeConvKernels(native && loadNativeBlas().blas?.conv !== undefined));
  // the pure-wasm rewrites always; the OpenBLAS kernels too where the addon and library are present
  for (const path of native ? ['rewrite', 'native'] : ['rewrite']) {
    it(`${path}: conv2d and conv2dTranspose on random shapes, strides and paddings`, async () => {
      setNativeConvKernels(path === 'native');
      for (let t = 0; t < 12; t++) {
        const k = 1 + rng.int(4);
        // stride ≤ kernel: tfjs-backend-wasm's own Conv2D is wrong for stride > kernel with 'same'
        const s = 1 + rng.int(Math.min(3, k));
        const pad = rng.int(2) ? 'same' : 'valid';
        const [n, h, w, ci, co] = [
          1 + rng.int(3),
          k + rng.int(8),
          k + rng.int(8),
          1 + rng.int(4),
          1 + rng.int(4),
        ];
        const x = { shape: [n, h, w, ci], data: rand([n, h, w, ci]) };
        const wt = { shape: [k, k, ci, co], data: rand([k, k, ci, co]) };
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

describe('normal sampler', () => {
  it('draws standard normals (ziggurat): moments and tails', () => {
    const n = 400_000;
    const a = new Rng(3).fillNormal(new Float32Array(n));
    let mean = 0;
    for (const v of a) mean += v;
    mean /= n;
    let variance = 0;
    let kurt = 0;
    let beyond3 = 0;
    for (const v of a) {
      variance += (v - mean) ** 2;
      kurt += (v - mean) ** 4;
      if (Math.abs(v) > 3) beyond3++;
    }
    variance /= n;
    kurt /= n * variance * variance;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    expect(Math.abs(kurt - 3)).toBeLessThan(0.05);
    expect(Math.abs(beyond3 / n - 0.0027)).toBeLessThan(0.0005);
  });

  it('fillNormal continues exactly the stream normal() draws', () => {
    const r1 = new Rng(9);
    const r2 = new Rng(9);
    const filled = r1.fillNormal(new Float32Array(50_000));
    for (let i = 0; i < filled.length; i++) expect(filled[i]).toBe(Math.fround(r2.normal()));
    expect(r1.getState()).toEqual(r2.getState());
  });
});
