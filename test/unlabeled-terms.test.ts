import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeTrainer } from '../src/experiments/make-trainer.js';
import { photoPreset } from '../src/experiments/presets.js';
import { conditionalEntropy } from '../src/objectives/bad-gan.js';
import { consistencyLoss, consistencyRampup, withConsistency } from '../src/objectives/consistency.js';
import { pseudoLabelLoss, withPseudoLabels } from '../src/objectives/pseudo-label.js';
import { supervised } from '../src/objectives/supervised.js';
import { Rng } from '../src/random.js';
import { augmentImage } from '../src/train/augment.js';
import { GAN_WEIGHTED_METHODS, makeObjective, type MethodName } from '../src/train/methods.js';

describe('pseudo-label term (FixMatch)', () => {
  it('trains the strong view towards confident weak predictions only, averaged over the batch', () => {
    const value = tf.tidy(
      () =>
        pseudoLabelLoss(
          tf.tensor2d([
            [5, 0],
            [0.1, 0],
          ]),
          tf.tensor2d([
            [1, 2],
            [3, 3],
          ]),
          0.95,
        ).dataSync()[0],
    );
    // only row 1 is confident (p = 0.9933 for class 0): −log softmax([1, 2])[0] = log(1 + e), halved
    expect(value).toBeCloseTo(Math.log(1 + Math.E) / 2, 5);
  });

  it('sends no gradient back through the weak view', () => {
    const g = tf.tidy(() => {
      const strong = tf.tensor2d([[1, 2]]);
      return tf.grad((w: tf.Tensor) => pseudoLabelLoss(w as tf.Tensor2D, strong, 0.5))(tf.tensor2d([[3, 0]]));
    });
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
    g.dispose();
  });
});

describe('unlabeled terms behind the Objective interface', () => {
  const inputs = () => ({
    labeledLogits: tf.tensor2d([[1, 0]]),
    labels: tf.tensor1d([0], 'int32'),
    unlabeledLogits: tf.tensor2d([
      [2, 0],
      [0, 1],
    ]),
    unlabeledViewLogits: [
      tf.tensor2d([
        [0, 2],
        [1, 0],
      ]),
      tf.tensor2d([
        [0, 3],
        [3, 0],
      ]),
    ],
    unlabeledWeight: 0.5,
  });

  it('each term adds its own view and its weighted loss to the base objective', () => {
    const o = withPseudoLabels(withConsistency(supervised(), 2), { weight: 3, threshold: 0.6 });
    expect(o.unlabeledViews).toEqual(['weak', 'strong']);
    expect(o.usesUnlabeled).toBe(true);
    expect(o.usesGenerator).toBe(false);
    const [total, expected] = tf.tidy(() => {
      const i = inputs();
      const base = supervised().discriminatorLoss(i);
      const pi = consistencyLoss(i.unlabeledLogits, i.unlabeledViewLogits[0]);
      const pl = pseudoLabelLoss(i.unlabeledLogits, i.unlabeledViewLogits[1], 0.6);
      const sum = tf.addN([base, tf.mul(2 * 0.5, pi), tf.mul(3 * 0.5, pl)]);
      return [o.discriminatorLoss(i).dataSync()[0], sum.dataSync()[0]];
    });
    expect(total).toBeCloseTo(expected, 6);
  });

  it('pi and fixmatch are the supervised objective plus one term; --consistency adds to a GAN method', () => {
    expect(makeObjective('pi').unlabeledViews).toEqual(['weak']);
    expect(makeObjective('fixmatch').unlabeledViews).toEqual(['strong']);
    expect(makeObjective('supervised').unlabeledViews).toBeUndefined();
    const gan = makeObjective('klogit-fm', undefined, {
      consistency: 1,
      pseudoLabels: { weight: 1, threshold: 0.9 },
    });
    expect(gan.usesGenerator).toBe(true);
    expect(gan.unlabeledViews).toEqual(['weak', 'strong']);
    expect(
      makeObjective('fixmatch', undefined, { pseudoLabels: { weight: 0, threshold: 0.9 } }).usesUnlabeled,
    ).toBe(undefined);
  });
});

describe('--gan-weight', () => {
  // each GAN method less its real/fake part: the labeled cross-entropy (over K+1 logits for the K+1 heads), and
  // the consistency or pseudo-label term where the method adds one
  const withoutGan = (m: MethodName): MethodName =>
    m.endsWith('+pi') ? 'pi' : m.endsWith('+fixmatch') ? 'fixmatch' : 'supervised';
  it("scales only D's real/fake part in every GAN method: 0 leaves the rest, the loss is linear in it", () => {
    const i = (k: number) => ({
      labeledLogits: tf.tensor2d([[1, 0, -1].slice(0, k)]),
      labels: tf.tensor1d([0], 'int32'),
      unlabeledLogits: tf.tensor2d([[2, 0, 0.5].slice(0, k)]),
      fakeLogits: tf.tensor2d([[0.5, -1, 1].slice(0, k)]),
      unlabeledFeatures: tf.tensor2d([[0.1, 0.2]]),
      unlabeledViewLogits: [tf.tensor2d([[0, 3, 1].slice(0, k)])],
    });
    for (const method of GAN_WEIGHTED_METHODS) {
      const k = method.startsWith('kplus1') ? 3 : 2;
      const loss = (w?: number) =>
        tf.tidy(() => {
          const terms = w === undefined ? {} : { ganWeight: w };
          return makeObjective(method, undefined, terms).discriminatorLoss(i(k)).dataSync()[0];
        });
      expect(loss(0), method).not.toBeCloseTo(loss(1), 3);
      // at weight 0 what is left is the method without its GAN: a loss that scaled everything would be 0 here
      const rest = tf.tidy(() => {
        const inputs = i(k);
        const base = makeObjective(withoutGan(method)).discriminatorLoss(inputs);
        // Bad GAN's conditional entropy on unlabeled data (weight 0.1) is not a real/fake term: it stays
        const ent = method === 'badgan' ? conditionalEntropy(inputs.unlabeledLogits) : tf.scalar(0);
        return tf.add(base, tf.mul(0.1, ent)).dataSync()[0];
      });
      expect(loss(0), method).toBeCloseTo(rest, 6);
      expect(loss(0.25), method).toBeCloseTo(loss(0) + 0.25 * (loss(1) - loss(0)), 5);
      expect(loss(undefined), method).toBe(loss(1));
    }
    // without the GAN part, klogit-fm+fixmatch is fixmatch's loss: cross-entropy plus the pseudo-label term
    const fixmatch = tf.tidy(() => makeObjective('fixmatch').discriminatorLoss(i(2)).dataSync()[0]);
    const gan0 = tf.tidy(
      () =>
        makeObjective('klogit-fm+fixmatch', undefined, { ganWeight: 0 })
          .discriminatorLoss(i(2))
          .dataSync()[0],
    );
    expect(gan0).toBeCloseTo(fixmatch, 6);
  });

  it('reaches Bad GAN on 2-D data, where its factory adds the density model', () => {
    const ctx = { unlabeledX: new Rng(3).fillUniform(new Float32Array(200), -1, 1), featureShape: [2] };
    const inputs = () => ({
      labeledLogits: tf.tensor2d([[1, 0]]),
      labels: tf.tensor1d([0], 'int32'),
      unlabeledLogits: tf.tensor2d([[2, 0]]),
      fakeLogits: tf.tensor2d([[0.5, -1]]),
    });
    const loss = (w: number) =>
      tf.tidy(() => {
        const o = makeObjective('badgan', ctx, { ganWeight: w });
        const v = o.discriminatorLoss(inputs()).dataSync()[0];
        o.dispose?.();
        return v;
      });
    expect(loss(0)).toBeLessThan(loss(1));
  });
});

describe('strong augmentation', () => {
  const image = () => new Rng(1).fillUniform(new Float32Array(16 * 16 * 3), -1, 1);
  const strong = { flip: true, translate: 2, strong: true };

  it('is seeded, stays in [−1, 1] and adds to the weak policy', () => {
    const run = (aug: typeof strong, seed: number) => {
      const out = new Float32Array(16 * 16 * 3);
      augmentImage(image(), out, [16, 16, 3], aug, new Rng(seed));
      return out;
    };
    expect(run(strong, 4)).toEqual(run(strong, 4));
    expect(run(strong, 4)).not.toEqual(run(strong, 5));
    for (let seed = 1; seed <= 20; seed++) {
      const out = run(strong, seed);
      expect(Math.min(...out)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...out)).toBeLessThanOrEqual(1);
    }
    // the geometry is drawn first, so the same seed gives the weak image plus the strong operations
    for (let seed = 1; seed <= 20; seed++)
      expect(run(strong, seed)).not.toEqual(run({ ...strong, strong: false }, seed));
  });
});

/** Tiny photos: class 0 bright at the top, class 1 at the bottom (flips and small shifts keep the class). */
function stripes(n: number, seed: number) {
  const rng = new Rng(seed);
  const size = 16 * 16 * 3;
  const x = new Float32Array(n * size);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    const img = x.subarray(i * size, (i + 1) * size);
    rng.fillNormal(img, 0.4);
    for (let r = 0; r < 6; r++) {
      const row = y[i] === 0 ? r : 15 - r;
      for (let j = 0; j < 16 * 3; j++) img[row * 48 + j] += 0.8;
    }
  }
  return { x, y, ids: Array.from({ length: n }, (_, i) => `s${seed}-${i}`) };
}

describe('pi and fixmatch train the photo net', () => {
  it('beat chance by a wide margin on tiny photos with 4 labels, reproducibly', () => {
    const labeled = stripes(4, 1);
    const unlabeled = stripes(128, 2);
    const test = stripes(200, 3);
    const data = {
      featureShape: [16, 16, 3],
      classNames: ['top', 'bottom'],
      labeled,
      unlabeled: { x: unlabeled.x, ids: unlabeled.ids },
    };
    for (const method of ['pi', 'fixmatch'] as const) {
      const run = () => {
        const t = makeTrainer(method, photoPreset(), data, { seed: 1, batchSize: 16 });
        for (let i = 0; i < 30; i++) t.step();
        const acc = t.evaluate(test.x, test.y);
        const w = t.discriminator.params.get('d/logits/v').dataSync().slice();
        t.dispose();
        return { acc, w };
      };
      const a = run();
      expect(a.acc, method).toBeGreaterThan(0.8);
      expect(run().w, method).toEqual(a.w);
    }
  }, 300_000);
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
