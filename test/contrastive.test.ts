import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ntXentLoss } from '../src/objectives/contrastive.js';

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
