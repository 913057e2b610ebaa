import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { featureMatchingLoss, withFeatureMatching } from '../src/objectives/feature-matching.js';
import { kLogit } from '../src/objectives/klogit.js';
import { kPlusOne } from '../src/objectives/kplus1.js';
import { makeObjective } from '../src/train/methods.js';
import { minimax } from '../src/objectives/minimax.js';
import { logSumExpRows, softmaxCrossEntropy, softplusStable } from '../src/objectives/stable.js';
import { supervised } from '../src/objectives/supervised.js';
import { ce, labels, lse, sp, t2, val } from './loss-helpers.js';

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
    // non-saturating: −log P(not fake) of each fake, averaged
    const notFake = F3.map((r) => lse(r) - lse(r.slice(0, 2))).reduce((a, b) => a + b) / 2;
    expect(val(() => naive.generatorLoss(g3()))).toBeCloseTo(notFake, 5);
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
