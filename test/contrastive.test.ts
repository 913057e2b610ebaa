import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { photoPreset } from '../src/experiments/presets.js';
import { contrastive, ntXentLoss } from '../src/objectives/contrastive.js';
import { Rng } from '../src/random.js';
import { Trainer } from '../src/train/trainer.js';

describe('NT-Xent (SimCLR) loss', () => {
  const loss = (a: number[][], b: number[][], t = 1) =>
    tf.tidy(() => ntXentLoss(tf.tensor2d(a), tf.tensor2d(b), t).dataSync()[0]);

  it('rewards each view picking its own partner among the other rows, not itself', () => {
    const e = [
      [1, 0],
      [0, 1],
    ];
    // partner at similarity 1 against two rows at 0 (self excluded): −log(e / (e + 2))
    expect(loss(e, e)).toBeCloseTo(Math.log(1 + 2 / Math.E), 5);
    // partners swapped: the partner is at 0 and a stranger at 1: −log(1 / (e + 2))
    expect(loss(e, [e[1], e[0]])).toBeCloseTo(Math.log(Math.E + 2), 5);
  });

  it('compares directions only, and sharpens with a lower temperature', () => {
    const a = [
      [3, 0],
      [0, 0.5],
    ];
    expect(loss(a, a)).toBeCloseTo(Math.log(1 + 2 / Math.E), 5);
    expect(loss(a, a, 0.1)).toBeLessThan(1e-3);
  });
});

/** NT-Xent written out row by row, for comparison. */
function referenceNtXent(a: number[][], b: number[][], t: number): number {
  const z = [...a, ...b].map((v) => {
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
  const n = a.length;
  const dot = (u: number[], v: number[]) => u.reduce((s, x, i) => s + x * v[i], 0);
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const partner = i < n ? i + n : i - n;
    let denominator = 0;
    for (let j = 0; j < 2 * n; j++) if (j !== i) denominator += Math.exp(dot(z[i], z[j]) / t);
    total += -Math.log(Math.exp(dot(z[i], z[partner]) / t) / denominator);
  }
  return total / (2 * n);
}

describe('NT-Xent on arbitrary views', () => {
  it('equals the row-by-row definition in both directions', () => {
    const rng = new Rng(3);
    const rows = (k: number) =>
      Array.from({ length: k }, () => Array.from({ length: 5 }, () => rng.normal()));
    const [a, b] = [rows(4), rows(4)];
    const value = tf.tidy(() => ntXentLoss(tf.tensor2d(a), tf.tensor2d(b), 0.3).dataSync()[0]);
    expect(value).toBeCloseTo(referenceNtXent(a, b, 0.3), 4);
    // not symmetric in its inputs' roles by accident: swapping the views gives the same mean
    const swapped = tf.tidy(() => ntXentLoss(tf.tensor2d(b), tf.tensor2d(a), 0.3).dataSync()[0]);
    expect(swapped).toBeCloseTo(value, 4);
  });
});

describe('contrastive feature learning in the trainer', () => {
  it('trains on the unlabeled views only: the unread labeled batch moves neither weights nor batch-norm averages', () => {
    const shape = [8, 8, 3];
    const n = 32;
    const rng = new Rng(1);
    const x = new Float32Array(n * 192);
    rng.fillNormal(x, 0.5);
    const embed = (placeholder: number) => {
      const objective = contrastive({ projection: 8, temperature: 0.5 });
      const preset = photoPreset();
      const net = preset.makeDiscriminator(objective, 8, shape, new Rng(7));
      const labeled = { x: new Float32Array(4 * 192).fill(placeholder), y: new Int32Array(4), ids: [] };
      const ids = Array.from({ length: n }, (_, i) => `${i}`);
      const trainer = new Trainer(
        objective,
        net,
        undefined,
        { featureShape: shape, numClasses: 8, labeled, unlabeled: { x, ids } },
        { ...preset.train, batchSize: 16, labeledBatchSize: 4, seed: 2 },
      );
      for (let s = 0; s < 3; s++) trainer.step();
      const z = tf.tidy(() => Array.from(net.forward(tf.tensor(x, [n, ...shape])).features.dataSync()));
      trainer.dispose();
      return z;
    };
    const plain = embed(0);
    expect(embed(5)).toEqual(plain);
  });
});
