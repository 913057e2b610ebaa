import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { backendAcceleration } from '../src/backend.js';
import { conv2d, conv2dTranspose, setNativeConvKernels } from '../src/nets/fast-conv.js';
import { addBias, lastAxisNorm, leakyRelu } from '../src/nets/fast-ops.js';
import { loadNativeBlas } from '../src/native/openblas.js';
import { fusedBatchNorm, setNativeBatchNorm } from '../src/kernels/wasm-batch-norm.js';
import { fusedDense, setNativeDense, type DenseGradients } from '../src/kernels/wasm-dense.js';
import { fusedAdam, setNativeAdam } from '../src/kernels/wasm-adam.js';
import { fusedAverage, setNativeAverage } from '../src/kernels/wasm-average.js';
import { fusedBiasAct, fusedBiasTanh } from '../src/kernels/wasm-bias-act.js';
import { fusedLogSumExpRows, fusedSoftplus } from '../src/kernels/wasm-stable.js';
import { Rng, setNativeRandom } from '../src/random.js';

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

describe('the seeded stream in the addon', () => {
  const fns = loadNativeBlas().blas?.random;
  afterAll(() => setNativeRandom(fns));
  it.skipIf(!fns)(
    'draws exactly what the JavaScript draws, normals, uniforms and dropout masks, and leaves the same state',
    () => {
      const draw = (useNative: boolean) => {
        setNativeRandom(useNative ? fns : undefined);
        const r = new Rng(2024);
        // 3 M normals: ≈60 k of them take the ziggurat's slow path (log, exp)
        const normals = r.fillNormal(new Float32Array(3_000_000), 0.5);
        const uniforms = r.fillUniform(new Float32Array(100_000), -1, 3);
        const mask = r.fillDropoutMask(new Float32Array(100_000), 0.3);
        return { normals, uniforms, mask, state: r.getState().s, next: r.nextUint32() };
      };
      const js = draw(false);
      const native = draw(true);
      let differ = 0;
      for (let i = 0; i < js.normals.length; i++) if (js.normals[i] !== native.normals[i]) differ++;
      expect(differ).toBe(0);
      expect(Array.from(native.uniforms)).toEqual(Array.from(js.uniforms));
      expect(Array.from(native.mask)).toEqual(Array.from(js.mask));
      expect(native.state).toEqual(js.state);
      expect(native.next).toBe(js.next);
    },
  );
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
