import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { maxPool2, setNativeMaxPool } from '../src/kernels/wasm-max-pool.js';
import { loadNativeBlas } from '../src/native/openblas.js';
import { PhotoDiscriminator } from '../src/nets/photo-discriminator.js';
import { Rng } from '../src/random.js';

const rand = (rng: Rng, shape: number[]) =>
  rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));

describe('2×2 max-pool kernel', () => {
  const blas = loadNativeBlas().blas;
  const nativePool =
    blas?.maxPool2 && blas.maxPool2Grad
      ? { maxPool2: blas.maxPool2, maxPool2Grad: blas.maxPool2Grad }
      : undefined;
  afterAll(() => setNativeMaxPool(nativePool));
  /** Value and gradient of sum(pool(x) · dy) on the current backend. */
  const run = (pool: (t: tf.Tensor4D) => tf.Tensor4D, x: Float32Array, shape: number[], dy: Float32Array) =>
    tf.tidy(() => {
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const y = pool(xt);
      const f = (t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), tf.tensor(dy, y.shape)));
      return { y: y.dataSync().slice(), g: tf.grad(f)(xt).dataSync().slice() };
    });

  // the JavaScript loops always (browsers run them); the C++ ones where the addon is built
  for (const path of nativePool ? ['js', 'native'] : ['js']) {
    it(`${path}: matches tf.maxPool on the cpu backend, value and gradient, odd sizes and ties included`, async () => {
      setNativeMaxPool(path === 'native' ? nativePool : undefined);
      const rng = new Rng(3);
      const shape = [2, 7, 6, 5];
      const x = rand(rng, shape);
      // ties at a window's maximum (NHWC: index ((n·7 + h)·6 + w)·5 + c): the first window's channel 0 at
      // (0,0) and (0,1); image 1's window at rows 2–3, cols 2–3, channel 3 at (2,2) and (3,3)
      const at = (n: number, h: number, w: number, c: number) => ((n * 7 + h) * 6 + w) * 5 + c;
      for (const i of [at(0, 0, 0, 0), at(0, 0, 1, 0), at(1, 2, 2, 3), at(1, 3, 3, 3)]) x[i] = 10;
      const dy = rand(rng, [2, 3, 3, 5]);
      const ours = run(maxPool2, x, shape, dy);
      await tf.setBackend('cpu');
      const ref = run((t) => tf.maxPool(t, 2, 2, 'valid'), x, shape, dy);
      await tf.setBackend('wasm');
      expect(Array.from(ours.y)).toEqual(Array.from(ref.y));
      expect(Array.from(ours.g)).toEqual(Array.from(ref.g));
      // as tfjs does: the first of the tied elements (in row-major order) takes the window's whole gradient
      const dyAt = (n: number, h: number, w: number, c: number) => ((n * 3 + h) * 3 + w) * 5 + c;
      expect([ours.g[at(0, 0, 0, 0)], ours.g[at(0, 0, 1, 0)]]).toEqual([dy[dyAt(0, 0, 0, 0)], 0]);
      expect([ours.g[at(1, 2, 2, 3)], ours.g[at(1, 3, 3, 3)]]).toEqual([dy[dyAt(1, 1, 1, 3)], 0]);
    });
  }

  it.skipIf(!nativePool)('native and JavaScript loops give the same bits on a step-sized batch', () => {
    const rng = new Rng(5);
    // big enough to split across threads; odd height and width; channels not a multiple of 4 (the vector loop's
    // remainder); ties everywhere (values rounded to a few levels)
    const shape = [9, 33, 31, 26];
    const x = rand(rng, shape).map((v) => Math.round(v * 2) / 2);
    const dy = rand(rng, [9, 16, 15, 26]);
    setNativeMaxPool(undefined);
    const js = run(maxPool2, x, shape, dy);
    setNativeMaxPool(nativePool);
    const cc = run(maxPool2, x, shape, dy);
    expect(Buffer.from(cc.y.buffer).equals(Buffer.from(js.y.buffer))).toBe(true);
    expect(Buffer.from(cc.g.buffer).equals(Buffer.from(js.g.buffer))).toBe(true);
  });
});

describe('PhotoDiscriminator', () => {
  const make = () =>
    new PhotoDiscriminator(
      { inputShape: [16, 16, 3], numLogits: 2, stemWidth: 4, widths: [8, 8], poolStem: true },
      new Rng(1),
    );
  const mean = (d: PhotoDiscriminator) => d.params.get('d/stem/bn/mean').dataSync().slice();

  it('normalises each part of a batch on its own, so a concatenated forward equals separate ones', () => {
    const d = make();
    const rng = new Rng(2);
    const a = rand(rng, [4, 16, 16, 3]);
    const b = rand(rng, [6, 16, 16, 3]).map((v) => 3 * v + 1);
    const parts = [
      { rows: 4, real: true },
      { rows: 6, real: false },
    ];
    const together = tf.tidy(() =>
      d
        .forward(tf.tensor(Float32Array.from([...a, ...b]), [10, 16, 16, 3]), new Rng(5), { parts })
        .logits.arraySync(),
    );
    const apart = tf.tidy(() => [
      ...d.forward(tf.tensor(a, [4, 16, 16, 3]), new Rng(5)).logits.arraySync(),
      ...d.forward(tf.tensor(b, [6, 16, 16, 3]), new Rng(5), { parts: [parts[1]] }).logits.arraySync(),
    ]);
    together.flat().forEach((v, i) => expect(v).toBeCloseTo(apart.flat()[i], 4));
  });

  it('in a generator step: the fakes get the gradient they get alone, and the real part costs no backward pass', async () => {
    const d = make();
    const rng = new Rng(9);
    const real = tf.tensor(rand(rng, [4, 16, 16, 3]), [4, 16, 16, 3]);
    const fake = tf.tensor(rand(rng, [6, 16, 16, 3]), [6, 16, 16, 3]);
    const w = tf.tensor(rand(rng, [8]), [8]);
    const parts = [
      { rows: 4, real: true },
      { rows: 6, real: false },
    ];
    // feature matching's shape of loss: both parts' features, a gradient only through the fakes
    const together = (f: tf.Tensor) => {
      const feats = d.forward(tf.concat([real, f]), new Rng(1), { constantWeights: true, parts }).features;
      return tf.sum(tf.mul(tf.sub(tf.mean(feats.slice(0, 4), 0), tf.mean(feats.slice(4, 6), 0)), w));
    };
    const alone = (f: tf.Tensor) => {
      const opts = { constantWeights: true, parts: [parts[1]] };
      const fr = tf.tidy(() => d.forward(real, new Rng(1), { constantWeights: true }).features);
      const feats = d.forward(f, new Rng(1), opts).features;
      return tf.sum(tf.mul(tf.sub(tf.mean(fr, 0), tf.mean(feats, 0)), w));
    };
    const want = tf.tidy(() => tf.grad(alone)(fake).dataSync().slice());
    let got: ArrayLike<number> = [];
    const profile = await tf.profile(() => {
      got = tf.tidy(() => tf.grad(together)(fake).dataSync().slice());
    });
    Array.from(got).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    // one input gradient per convolution (stem + 2 blocks × 2), for the fakes only
    expect(profile.kernels.filter((k) => k.name === 'Conv2DBackpropInput')).toHaveLength(5);
    tf.dispose([real, fake, w]);
  });

  it('moves its running averages on real parts only, and never in a generator step', () => {
    const d = make();
    const x = tf.tensor(rand(new Rng(4), [8, 16, 16, 3]), [8, 16, 16, 3]);
    const start = mean(d);
    tf.tidy(() => {
      d.forward(x, new Rng(1), { parts: [{ rows: 8, real: false }] });
    });
    expect(mean(d)).toEqual(start);
    tf.tidy(() => {
      d.forward(x, new Rng(1), { parts: [{ rows: 8, real: true }], constantWeights: true });
    });
    expect(mean(d)).toEqual(start);
    tf.tidy(() => {
      d.forward(x, new Rng(1));
    });
    expect(mean(d)).not.toEqual(start);
    x.dispose();
  });

  it('in a real ‖ fake batch (every discriminator step), only the real part moves the running averages', () => {
    const rng = new Rng(4);
    const a = rand(rng, [4, 16, 16, 3]);
    const b = rand(rng, [6, 16, 16, 3]).map((v) => 3 * v + 1);
    const [mixed, realOnly] = [make(), make()];
    const start = mean(mixed);
    tf.tidy(() => {
      const x = tf.tensor(Float32Array.from([...a, ...b]), [10, 16, 16, 3]);
      const parts = [
        { rows: 4, real: true },
        { rows: 6, real: false },
      ];
      mixed.forward(x, new Rng(1), { parts });
      realOnly.forward(tf.tensor(a, [4, 16, 16, 3]), new Rng(1), { parts: [parts[0]] });
    });
    expect(mean(mixed)).not.toEqual(start);
    Array.from(mean(mixed)).forEach((v, i) => expect(v).toBeCloseTo(mean(realOnly)[i], 6));
  });

  it('predicts with the running averages: the same input gives the same logits whatever batch it is in', () => {
    const d = make();
    const rng = new Rng(6);
    const x = rand(rng, [6, 16, 16, 3]);
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        d.forward(tf.tensor(x, [6, 16, 16, 3]), new Rng(i));
      });
    }
    const alone = tf.tidy(() => d.forward(tf.tensor(x.slice(0, 768), [1, 16, 16, 3])).logits.arraySync());
    const inBatch = tf.tidy(() => d.forward(tf.tensor(x, [6, 16, 16, 3])).logits.arraySync());
    alone[0].forEach((v, j) => expect(v).toBeCloseTo(inBatch[0][j], 4));
  });

  it('exports as a tf.layers model that predicts what the net does', () => {
    const d = make();
    const x = rand(new Rng(8), [5, 16, 16, 3]);
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => {
        d.forward(tf.tensor(x, [5, 16, 16, 3]), new Rng(i));
      });
    }
    const model = d.toLayersModel(2);
    const [ours, theirs] = tf.tidy(() => {
      const xt = tf.tensor(x, [5, 16, 16, 3]);
      return [tf.softmax(d.forward(xt).logits).arraySync(), (model.predict(xt) as tf.Tensor).arraySync()];
    }) as number[][][];
    ours.flat().forEach((v, i) => expect(theirs.flat()[i]).toBeCloseTo(v, 4));
    model.dispose();
  });
});
