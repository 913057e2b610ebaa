import * as tf from '@tensorflow/tfjs';
import { fusedAverage } from '../kernels/wasm-average.js';
import { zerosVariable } from '../nets/params.js';

/**
 * Exponential moving average of weights (Improved GAN evaluates D with it, rate 1e-4). The reference starts
 * the average at zero; dividing by 1 − (1 − rate)^t removes that start-up bias, so evaluations in the first
 * epochs are meaningful too. The two agree once t ≫ 1/rate.
 */
export class WeightAverage {
  private t = 0;
  private readonly avg = new Map<string, tf.Variable>();

  constructor(
    private readonly vars: { key: string; variable: tf.Variable }[],
    readonly rate: number,
  ) {
    for (const { key, variable } of vars) this.avg.set(key, zerosVariable(variable));
  }

  update(): void {
    this.t++;
    tf.tidy(() => {
      for (const { key, variable } of this.vars) {
        const a = this.avg.get(key)!;
        a.assign(fusedAverage(a, variable, this.rate) ?? tf.add(a, tf.mul(tf.sub(variable, a), this.rate)));
      }
    });
  }

  /** Runs fn with the averaged weights in place, then restores the live weights. */
  withAveraged<T>(fn: () => T): T {
    if (this.t === 0) return fn();
    const debias = 1 / (1 - (1 - this.rate) ** this.t);
    const live = this.vars.map(({ variable }) => tf.clone(variable));
    try {
      tf.tidy(() => {
        for (const { key, variable } of this.vars) variable.assign(tf.mul(this.avg.get(key)!, debias));
      });
      return fn();
    } finally {
      this.vars.forEach(({ variable }, i) => variable.assign(live[i]));
      tf.dispose(live);
    }
  }

  get steps(): number {
    return this.t;
  }

  tensors(): Map<string, tf.Variable> {
    return this.avg;
  }

  setSteps(t: number): void {
    this.t = t;
  }

  dispose(): void {
    for (const a of this.avg.values()) a.dispose();
  }
}
