import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { badGan, conditionalEntropy, pullAway } from '../src/objectives/bad-gan.js';
import { consistencyLoss, consistencyRampup } from '../src/objectives/consistency.js';
import { kernelDensity } from '../src/objectives/density.js';
import { featureMatchingLoss, withFeatureMatching } from '../src/objectives/feature-matching.js';
import { kLogit } from '../src/objectives/klogit.js';
import { kPlusOne } from '../src/objectives/kplus1.js';
import { makeObjective } from '../src/train/methods.js';
import { minimax } from '../src/objectives/minimax.js';
import { logSumExpRows, softmaxCrossEntropy, softplusStable } from '../src/objectives/stable.js';
import { supervised } from '../src/objectives/supervised.js';

const val = (f: () => tf.Scalar) => tf.tidy(() => f().dataSync()[0]);
const lse = (xs: number[]) => Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));
const sp = (x: number) => Math.log1p(Math.exp(x));
const ce = (l: number[], y: number) => lse(l) - l[y];
const t2 = (rows: number[][]) => tf.tensor2d(rows);
const labels = (ys: number[]) => tf.tensor1d(ys, 'int32');

describe('stable primitives', () => {
  it('logsumexp and softplus match the formulas and stay finite at ±100 and beyond', () => {
    const rows = [
      [1, 2, 3],
      [100, 100, -100],
      [-100, -100, -100],
      [1000, -1000, 0],
    ];
    const got = tf.tidy(() => Array.from(logSumExpRows(t2(rows)).dataSync()));
    expect(got[0]).toBeCloseTo(lse([1, 2, 3]), 5);
    expect(got[1]).toBeCloseTo(100 + Math.log(2), 4);
    expect(got[2]).toBeCloseTo(-100 + Math.log(3), 4);
    expect(got[3]).toBeCloseTo(1000, 3);
    const s = tf.tidy(() =>
      Array.from(softplusStable(tf.tensor1d([-1000, -100, 0, 2, 100, 1000])).dataSync()),
    );
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo(Math.exp(-100), 40);
    expect(s[2]).toBeCloseTo(Math.log(2), 6);
    expect(s[3]).toBeCloseTo(sp(2), 5);
    expect(s[4]).toBeCloseTo(100, 4);
    expect(s[5]).toBeCloseTo(1000, 2);
  });

  it('cross-entropy equals lse - picked logit', () => {
    const v = val(() =>
      softmaxCrossEntropy(
        t2([
          [1, 2, 3],
          [0, 0, 5],
        ]),
        labels([2, 0]),
      ),
    );
    expect(v).toBeCloseTo((ce([1, 2, 3], 2) + ce([0, 0, 5], 0)) / 2, 5);
  });
});

describe('objectives against hand-computed values', () => {
  const L = [
    [2, -1],
    [0.5, 0.5],
  ];
  const U = [
    [1, 3],
    [-2, 0],
  ];
  const F = [
    [-1, -3],
    [4, 1],
  ];
  const y = [0, 1];
  const sup = (ce(L[0], 0) + ce(L[1], 1)) / 2;
  const inputs = () => ({
    labeledLogits: t2(L),
    labels: labels(y),
    unlabeledLogits: t2(U),
    fakeLogits: t2(F),
  });

  it('supervised is the labeled cross-entropy and ignores unlabeled/fake', () => {
    expect(val(() => supervised().discriminatorLoss(inputs()))).toBeCloseTo(sup, 5);
  });

  it('k-logit: unlabeled −lse + softplus(lse), fake softplus(lse), ½ each', () => {
    const unl = U.map((r) => -lse(r) + sp(lse(r))).reduce((a, b) => a + b) / 2;
    const fake = F.map((r) => sp(lse(r))).reduce((a, b) => a + b) / 2;
    expect(val(() => kLogit().discriminatorLoss(inputs()))).toBeCloseTo(sup + 0.5 * (unl + fake), 5);
    const g = F.map((r) => sp(-lse(r))).reduce((a, b) => a + b) / 2;
    const gIn = () => ({ fakeLogits: t2(F), realFeatures: t2(U), fakeFeatures: t2(F) });
    expect(val(() => kLogit().generatorLoss(gIn()))).toBeCloseTo(g, 5);
    // D(x) = Z/(Z+1): −log D on unlabeled equals softplus(−lse)
    expect(-lse(U[0]) + sp(lse(U[0]))).toBeCloseTo(sp(-lse(U[0])), 10);
  });

  it('naive K+1: the last logit is "fake"', () => {
    const L3 = [
      [2, -1, 0.3],
      [0.5, 0.5, -1],
    ];
    const U3 = [
      [1, 3, 2],
      [-2, 0, 1],
    ];
    const F3 = [
      [-1, -3, 2],
      [4, 1, 0],
    ];
    const unl = U3.map((r) => lse(r) - lse(r.slice(0, 2))).reduce((a, b) => a + b) / 2;
    const fake = F3.map((r) => lse(r) - r[2]).reduce((a, b) => a + b) / 2;
    const supK1 = (ce(L3[0], 0) + ce(L3[1], 1)) / 2;
    const o = kPlusOne();
    const v = val(() =>
      o.discriminatorLoss({
        labeledLogits: t2(L3),
        labels: labels(y),
        unlabeledLogits: t2(U3),
        fakeLogits: t2(F3),
      }),
    );
    expect(v).toBeCloseTo(supK1 + 0.5 * (unl + fake), 5);
    expect(o.numLogits(2)).toBe(3);
    expect(tf.tidy(() => o.classLogits(t2(L3)).shape)).toEqual([2, 2]);
    const g = F3.map((r) => lse(r) - lse(r.slice(0, 2))).reduce((a, b) => a + b) / 2;
    expect(
      val(() => o.generatorLoss({ fakeLogits: t2(F3), realFeatures: t2(U3), fakeFeatures: t2(F3) })),
    ).toBeCloseTo(g, 5);
    // the ablation takes the labeled cross-entropy over the K class logits only, as the K-logit head does
    const supK = (ce(L3[0].slice(0, 2), 0) + ce(L3[1].slice(0, 2), 1)) / 2;
    const overK = val(() =>
      kPlusOne({ labeledOver: 'classes' }).discriminatorLoss({
        labeledLogits: t2(L3),
        labels: labels(y),
        unlabeledLogits: t2(U3),
        fakeLogits: t2(F3),
      }),
    );
    expect(overK).toBeCloseTo(supK + 0.5 * (unl + fake), 5);
  });

  it("kplus1 is the talk's naive head (non-saturating G); kplus1-fm matches features", () => {
    const gIn = () => ({ fakeLogits: t2(F), realFeatures: t2(U), fakeFeatures: t2(F) });
    const F3 = [
      [-1, -3, 2],
      [4, 1, 0],
    ];
    const g3 = () => ({ fakeLogits: t2(F3), realFeatures: t2(U), fakeFeatures: t2(F) });
    const naive = makeObjective('kplus1');
    const fm = makeObjective('kplus1-fm');
    expect([naive.name, fm.name, naive.numLogits(2), fm.numLogits(2)]).toEqual(['kplus1', 'kplus1-fm', 3, 3]);
    expect(val(() => naive.generatorLoss(g3()))).toBeCloseTo(
      val(() => kPlusOne().generatorLoss(g3())),
      6,
    );
    const meanGap = [0, 1].map((j) => ((U[0][j] + U[1][j]) / 2 - (F[0][j] + F[1][j]) / 2) ** 2);
    expect(val(() => fm.generatorLoss(gIn()))).toBeCloseTo((meanGap[0] + meanGap[1]) / 2, 5);
  });

  it('minimax GAN: BCE on real/fake, non-saturating generator', () => {
    const r = [[0.3], [-2]];
    const f = [[1.5], [-0.5]];
    const d = (sp(-0.3) + sp(2)) / 2 + (sp(1.5) + sp(-0.5)) / 2;
    const o = minimax();
    expect(
      val(() =>
        o.discriminatorLoss({
          labeledLogits: t2(r),
          labels: labels([0, 0]),
          unlabeledLogits: t2(r),
          fakeLogits: t2(f),
        }),
      ),
    ).toBeCloseTo(d, 5);
    expect(
      val(() => o.generatorLoss({ fakeLogits: t2(f), realFeatures: t2(r), fakeFeatures: t2(f) })),
    ).toBeCloseTo((sp(-1.5) + sp(0.5)) / 2, 5);
  });

  it('feature matching is the mean squared gap of mean features', () => {
    const real = [
      [1, 2, 3],
      [3, 2, 1],
    ];
    const fake = [
      [0, 0, 0],
      [2, 2, 2],
    ];
    // means: real [2,2,2], fake [1,1,1] → gap² = 1 per unit
    expect(val(() => featureMatchingLoss(t2(real), t2(fake)))).toBeCloseTo(1, 6);
    const o = withFeatureMatching(kLogit());
    expect(o.name).toBe('klogit-fm');
    expect(
      val(() => o.generatorLoss({ fakeLogits: t2(F), realFeatures: t2(real), fakeFeatures: t2(fake) })),
    ).toBeCloseTo(1, 6);
  });

  it('no loss or gradient is NaN/Inf at logits of ±100', () => {
    const big = [
      [100, -100],
      [-100, 100],
      [100, 100],
      [-100, -100],
    ];
    for (const o of [supervised(), kLogit(), withFeatureMatching(kLogit()), kPlusOne(), minimax()]) {
      const k = o.numLogits(2);
      const rows = big.map((r) => (k === 3 ? [...r, r[0]] : k === 1 ? [r[0]] : r));
      const res = tf.tidy(() => {
        const x = tf.variable(t2(rows));
        const { value, grads } = tf.variableGrads(
          () =>
            tf.add(
              o.discriminatorLoss({
                labeledLogits: x as tf.Tensor2D,
                labels: labels([0, 1, 0, 1]),
                unlabeledLogits: x as tf.Tensor2D,
                fakeLogits: x as tf.Tensor2D,
              }),
              o.generatorLoss({
                fakeLogits: x as tf.Tensor2D,
                realFeatures: x as tf.Tensor2D,
                fakeFeatures: x as tf.Tensor2D,
              }),
            ) as tf.Scalar,
          [x],
        );
        const out = [value.dataSync()[0], ...Array.from(Object.values(grads)[0].dataSync())];
        x.dispose();
        return out;
      });
      for (const v of res) expect(Number.isFinite(v), `${o.name}: ${res}`).toBe(true);
    }
  });
});

describe('Bad GAN terms', () => {
  it('conditional entropy: log K for uniform logits, ≈0 for confident ones', () => {
    expect(val(() => conditionalEntropy(t2([[0, 0, 0, 0]])))).toBeCloseTo(Math.log(4), 5);
    expect(val(() => conditionalEntropy(t2([[100, -100]])))).toBeCloseTo(0, 5);
  });

  it('pull-away term: 1 for parallel features, 0 for orthogonal ones', () => {
    expect(
      val(() =>
        pullAway(
          t2([
            [1, 0],
            [2, 0],
            [3, 0],
          ]),
        ),
      ),
    ).toBeCloseTo(1, 5);
    expect(
      val(() =>
        pullAway(
          t2([
            [1, 0, 0],
            [0, 2, 0],
            [0, 0, 3],
          ]),
        ),
      ),
    ).toBeCloseTo(0, 5);
    // two vectors at 60°: cos² = 0.25
    expect(
      val(() =>
        pullAway(
          t2([
            [1, 0],
            [0.5, Math.sqrt(3) / 2],
          ]),
        ),
      ),
    ).toBeCloseTo(0.25, 5);
  });

  it('kernel density is higher on the data than in the gap, with a threshold between', () => {
    const pts = new Float32Array(400);
    for (let i = 0; i < 200; i++) [pts[2 * i], pts[2 * i + 1]] = [Math.cos(i), Math.sin(i)];
    const kde = kernelDensity(pts, 2);
    const [onRing, center] = tf.tidy(() =>
      Array.from(
        kde
          .logDensity(
            t2([
              [1, 0],
              [0, 0],
            ]),
          )
          .dataSync(),
      ),
    );
    expect(onRing).toBeGreaterThan(center);
    expect(kde.threshold).toBeLessThan(onRing);
    kde.dispose();
  });

  it('badgan: the low-density hinge pushes fakes off the data, the support floor pulls far ones back', () => {
    const pts = new Float32Array(400);
    for (let i = 0; i < 200; i++) [pts[2 * i], pts[2 * i + 1]] = [Math.cos(i), Math.sin(i)];
    const gLoss = (opts: Parameters<typeof badGan>[0], fake: number[][]) => {
      const density = kernelDensity(pts, 2, 0.1);
      const o = badGan({ pullAwayWeight: 0, ...opts, density });
      const feats = t2([[1, 1]]);
      const v = val(() =>
        o.generatorLoss({
          fakeLogits: t2([[0, 0]]),
          realFeatures: feats,
          fakeFeatures: feats,
          fakeInputs: t2(fake),
        }),
      );
      o.dispose?.();
      return v;
    };
    // feature matching is 0 here (equal features): what is left is the density terms alone
    expect(gLoss({ lowDensityWeight: 1 }, [[1, 0]])).toBeGreaterThan(0); // on the ring: too dense
    expect(gLoss({ lowDensityWeight: 1 }, [[0.6, 0]])).toBe(0); // 0.4 off the ring: low density, no penalty
    expect(gLoss({ lowDensityWeight: 1 }, [[3, 0]])).toBe(0); // far away: no penalty without a floor
    expect(gLoss({ lowDensityWeight: 1, supportFloor: 5 }, [[3, 0]])).toBeGreaterThan(0); // pulled back
    expect(gLoss({ lowDensityWeight: 1, supportFloor: 5 }, [[0.75, 0]])).toBe(0); // within the band: free
  });

  it('badgan adds the entropy term to the K-logit loss', () => {
    const inputs = () => ({
      labeledLogits: t2([[2, -1]]),
      labels: labels([0]),
      unlabeledLogits: t2([[0, 0]]),
      fakeLogits: t2([[1, 1]]),
    });
    const plain = val(() => kLogit().discriminatorLoss(inputs()));
    expect(val(() => badGan({ entropyWeight: 0.5 }).discriminatorLoss(inputs()))).toBeCloseTo(
      plain + 0.5 * Math.log(2),
      5,
    );
    expect(val(() => badGan({ entropyWeight: 0 }).discriminatorLoss(inputs()))).toBeCloseTo(plain, 6);
  });
});

describe('consistency (Π-model) term', () => {
  it('is zero for equal predictions, Σ_k (p_k − p̃_k)² otherwise, and its gradient pulls the two together', () => {
    const a = tf.tensor2d([
      [0, 0],
      [1, 2],
    ]);
    const b = tf.tensor2d([
      [0, Math.log(3)],
      [1, 2],
    ]);
    // row 1: p = (½, ½), p̃ = (¼, ¾) → 2 × (¼)² = ⅛; row 2 equal → 0; mean ⅟16
    expect(consistencyLoss(a, a).dataSync()[0]).toBeCloseTo(0, 7);
    expect(consistencyLoss(a, b).dataSync()[0]).toBeCloseTo(1 / 16, 6);
    const g = tf
      .grad((x: tf.Tensor) => consistencyLoss(x as tf.Tensor2D, b))(a)
      .arraySync() as number[][];
    // raising logit 2 of row 1 moves p towards p̃
    expect(g[0]![1]).toBeLessThan(0);
    expect(g[0]![0]).toBeGreaterThan(0);
    expect(Math.abs(g[1]![0]!)).toBeLessThan(1e-7);
    tf.dispose([a, b]);
  });

  it('ramps up as exp(−5(1 − t)²) over its epochs, then holds at 1; no ramp is 1 throughout', () => {
    expect(consistencyRampup(0, 600, 10)).toBeCloseTo(Math.exp(-5), 9);
    expect(consistencyRampup(3000, 600, 10)).toBeCloseTo(Math.exp(-1.25), 9);
    expect(consistencyRampup(5999, 600, 10)).toBeLessThan(1);
    expect(consistencyRampup(6000, 600, 10)).toBe(1);
    expect(consistencyRampup(60_000, 600, 10)).toBe(1);
    expect(consistencyRampup(0, 600, 0)).toBe(1);
  });
});

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
