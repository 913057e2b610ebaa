import * as tf from '@tensorflow/tfjs';
import { makeWorkloadTrainer } from '../bench/speed-workloads.js';
import { imagePreset } from '../src/experiments/presets.js';
import { describe, expect, it } from 'vitest';
import { makeToyData, makeToyTrainer } from '../src/experiments/toy.js';
import { matMulFast } from '../src/nets/fast-matmul.js';
import { METHODS, type MethodName } from '../src/train/methods.js';
import type { Trainer } from '../src/train/trainer.js';
import { weightsSha256 } from '../src/train/run.js';

const weightsHash = weightsSha256;

function train(method: MethodName, steps: number, seed = 1): { trainer: Trainer; acc: number } {
  const data = makeToyData({ seed });
  const trainer = makeToyTrainer(method, data, { seed });
  for (let i = 0; i < steps; i++) trainer.step();
  return { trainer, acc: trainer.evaluate(data.test.x, data.test.y) };
}

describe('fast matmul gradient', () => {
  it('gives the same value and gradients as tf.matMul', () => {
    const a = tf.randomNormal([7, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([5, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
    const f = (mm: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(mm(x as tf.Tensor2D, y as tf.Tensor2D))))([
        a,
        b,
      ]);
    const [ga, gb] = f(matMulFast);
    const [ra, rb] = f((x, y) => tf.matMul(x, y));
    for (const [g, r] of [
      [ga, ra],
      [gb, rb],
    ]) {
      const d = tf.max(tf.abs(tf.sub(g, r))).dataSync()[0];
      expect(d).toBeLessThan(1e-4);
    }
    tf.dispose([a, b, ga, gb, ra, rb]);
  });
});

describe('trainer', () => {
  it('is reproducible: same seed, same weights; another seed, other weights', () => {
    const a = train('klogit-fm', 30, 4);
    const b = train('klogit-fm', 30, 4);
    const c = train('klogit-fm', 30, 5);
    expect(weightsHash(a.trainer)).toBe(weightsHash(b.trainer));
    expect(weightsHash(a.trainer)).not.toBe(weightsHash(c.trainer));
    for (const r of [a, b, c]) r.trainer.dispose();
  });

  it('leaks no tensors: numTensors and numBytes equal after 100 and 200 steps, for every method', () => {
    for (const method of Object.keys(METHODS) as MethodName[]) {
      const data = makeToyData({ seed: 2 });
      const trainer = makeToyTrainer(method, data, { seed: 2 });
      // the same work in both windows: steps, a loss read, an evaluation, samples
      const window = () => {
        for (let i = 0; i < 100; i++) trainer.step();
        trainer.readLosses();
        trainer.evaluate(data.test.x, data.test.y);
        trainer.sample(10);
        return tf.memory();
      };
      const m1 = window();
      const m2 = window();
      expect([method, m2.numTensors, m2.numBytes]).toEqual([method, m1.numTensors, m1.numBytes]);
      trainer.dispose();
      // a disposed trainer frees its nets and optimizer state too (the playground rebuilds one on every
      // click); only shared constants cached by the first trainer may stay
      const before = tf.memory().numTensors;
      const again = makeToyTrainer(method, data, { seed: 3 });
      for (let i = 0; i < 10; i++) again.step();
      again.evaluate(data.test.x, data.test.y);
      again.dispose();
      expect([method, tf.memory().numTensors]).toEqual([method, before]);
    }
  });

  it('the image nets (DCGAN generator, residual CNN) train and leak nothing either', () => {
    const w = { name: 'img', preset: imagePreset(), featureShape: [16, 16, 3], numClasses: 2, batch: 8 };
    for (const method of ['klogit-fm', 'supervised'] as MethodName[]) {
      const trainer = makeWorkloadTrainer(w, 3, method);
      const window = () => {
        for (let i = 0; i < 5; i++) trainer.step();
        trainer.readLosses();
        return tf.memory();
      };
      const m1 = window();
      const m2 = window();
      expect([method, m2.numTensors, m2.numBytes]).toEqual([method, m1.numTensors, m1.numBytes]);
      const l = trainer.readLosses();
      expect(Number.isFinite(l.d) && Number.isFinite(l.g)).toBe(true);
      trainer.dispose();
    }
  });

  it('SSL beats supervised on the rings with 4 labels per class (seed 1)', () => {
    const sup = train('supervised', 1500);
    const ssl = train('klogit-fm', 1500);
    expect(ssl.acc).toBeGreaterThanOrEqual(0.95);
    expect(ssl.acc - sup.acc).toBeGreaterThanOrEqual(0.1);
    const losses = ssl.trainer.readLosses();
    expect(Number.isFinite(losses.d) && Number.isFinite(losses.g)).toBe(true);
    sup.trainer.dispose();
    ssl.trainer.dispose();
  });
  // label honesty (poisoned labels, leaking variants caught) lives in label-honesty.test.ts
});

describe('loading state', () => {
  it('restoring a captured trainer state leaks no tensors', async () => {
    const { captureTrainerState, restoreTrainerState } = await import('../src/train/trainer-state.js');
    const data = makeToyData({ seed: 3 });
    const trainer = makeToyTrainer('klogit-fm', data, { seed: 3 });
    for (let i = 0; i < 5; i++) trainer.step();
    const { meta, blobs } = captureTrainerState(trainer);
    restoreTrainerState(trainer, meta, blobs);
    const before = tf.memory().numTensors;
    restoreTrainerState(trainer, meta, blobs);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });
});
