import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { badGan, conditionalEntropy, pullAway } from '../src/objectives/bad-gan.js';
import { kernelDensity } from '../src/objectives/density.js';
import { kLogit } from '../src/objectives/klogit.js';
import { labels, t2, val } from './loss-helpers.js';

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
