import * as tf from '@tensorflow/tfjs';
import { zerosVariable } from '../nets/params.js';
import { assignValues } from '../nets/params.js';
import { fusedAdam } from '../kernels/wasm-adam.js';

export interface AdamConfig {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /**
   * 'outside': m̂/(√v̂ + ε) (Kingma & Ba, PyTorch, tfjs). 'inside': m̂/√(v̂ + ε), as Improved GAN's
   * adam_updates does; with ε = 1e-8 that damps steps of parameters whose gradients are below ~1e-4, such
   * as weight-normalised directions.
   */
  epsilonPlacement?: 'outside' | 'inside';
}

export interface AdamState {
  step: number;
  learningRate: number;
  m: Record<string, number[] | Float32Array>;
  v: Record<string, number[] | Float32Array>;
}

/**
 * Adam (Kingma & Ba) over a fixed list of variables. Written out rather than tf.train.adam so that its
 * moments and step count go into checkpoints by variable name and a resume is bit-exact.
 */
export class Adam {
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly epsilonInside: boolean;
  private t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly vars: { key: string; variable: tf.Variable }[],
    config: AdamConfig,
  ) {
    this.learningRate = config.learningRate;
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-8;
    this.epsilonInside = config.epsilonPlacement === 'inside';
    for (const { key, variable } of vars) {
      this.m.set(key, zerosVariable(variable));
      this.v.set(key, zerosVariable(variable));
    }
  }

  /** Applies one update from gradients keyed by tfjs variable name (as tf.variableGrads returns them). */
  apply(grads: tf.NamedTensorMap): void {
    this.t++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = (this.learningRate * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    // inside form: lr·m̂/√(v̂+ε) = stepSize·m/√(v + ε(1−β2^t))
    const epsInside = this.epsilon * (1 - b2 ** this.t);
    // outside form: lr·m̂/(√v̂+ε) = stepSize·m/(√v + ε√(1−β2^t))
    const epsOutside = this.epsilon * Math.sqrt(1 - b2 ** this.t);
    tf.tidy(() => {
      for (const { key, variable } of this.vars) {
        const g = grads[variable.name];
        if (!g) continue;
        const m = this.m.get(key)!;
        const v = this.v.get(key)!;
        const fused = fusedAdam(variable, m, v, g, {
          beta1: b1,
          beta2: b2,
          stepSize,
          epsilon: this.epsilonInside ? epsInside : epsOutside,
          epsilonInside: this.epsilonInside,
        });
        if (fused) {
          variable.assign(fused[0]);
          m.assign(fused[1]);
          v.assign(fused[2]);
          continue;
        }
        const m2 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        m.assign(m2);
        v.assign(v2);
        const denom = this.epsilonInside ? tf.sqrt(tf.add(v2, epsInside)) : tf.add(tf.sqrt(v2), epsOutside);
        variable.assign(tf.sub(variable, tf.div(tf.mul(m2, stepSize), denom)));
      }
    });
  }

  get step(): number {
    return this.t;
  }

  save(): AdamState {
    const dump = (map: Map<string, tf.Variable>) =>
      Object.fromEntries([...map].map(([k, t]) => [k, t.dataSync() as Float32Array]));
    return { step: this.t, learningRate: this.learningRate, m: dump(this.m), v: dump(this.v) };
  }

  load(state: AdamState): void {
    this.t = state.step;
    this.learningRate = state.learningRate;
    for (const [map, saved] of [
      [this.m, state.m],
      [this.v, state.v],
    ] as const) {
      for (const [k, t] of map) {
        const data = saved[k];
        if (!data) throw new Error(`optimizer state lacks ${k}`);
        assignValues(t, data);
      }
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
