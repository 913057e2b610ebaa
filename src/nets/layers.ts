import * as tf from '@tensorflow/tfjs';
import { fusedBatchNorm } from '../kernels/wasm-batch-norm.js';
import { fusedDense, type DenseGradients } from '../kernels/wasm-dense.js';
import { filledTensor } from '../kernels/wasm-fill.js';
import type { Rng } from '../random.js';
import { matMulFast } from './fast-matmul.js';
import { addBias, lastAxisNorm, leakyRelu, relu } from './fast-ops.js';
import type { ParamStore } from './params.js';

export type Activation = 'relu' | 'lrelu' | 'softplus' | 'tanh' | 'linear' | 'sigmoid';

export function activate<T extends tf.Tensor>(x: T, a: Activation): T {
  switch (a) {
    case 'relu':
      return relu(x);
    case 'lrelu':
      return leakyRelu(x, 0.2);
    case 'softplus':
      return tf.softplus(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'linear':
      return x;
  }
}

/** Activations of the form max(p, αp), by α. */
const PIECEWISE_LINEAR: Partial<Record<Activation, number>> = { linear: 1, relu: 0, lrelu: 0.2 };

export interface DenseOptions {
  weightNorm?: boolean;
  /** With weight norm: whether the per-unit scale g is trained (Improved GAN trains it only at the output). */
  trainableScale?: boolean;
  /** Std of the initial weights; defaults to He-style sqrt(2/fanIn), or 0.05 with weight norm. */
  initStd?: number;
  /**
   * 'glorot-uniform' is Lasagne's default, which Improved GAN's generator uses. With weight norm or batch
   * norm the init scale still matters: Adam's steps have a fixed size, so it sets how fast directions turn.
   */
  init?: 'normal' | 'glorot-uniform';
}

/**
 * Fully connected layer, optionally weight-normalised (Salimans & Kingma 2016): w = g · v/‖v‖ per unit,
 * which decouples a unit's scale from its direction and makes GAN discriminators train stably.
 */
export class Dense {
  readonly v: tf.Variable;
  readonly g?: tf.Variable;
  readonly b: tf.Variable;

  constructor(
    store: ParamStore,
    name: string,
    inputs: number,
    units: number,
    rng: Rng,
    opts: DenseOptions = {},
  ) {
    const init = new Float32Array(inputs * units);
    if (opts.init === 'glorot-uniform') {
      const limit = Math.sqrt(6 / (inputs + units));
      rng.fillUniform(init, -limit, limit);
    } else {
      rng.fillNormal(init, opts.initStd ?? (opts.weightNorm ? 0.05 : Math.sqrt(2 / inputs)));
    }
    this.v = store.create(`${name}/v`, [inputs, units], init);
    if (opts.weightNorm) {
      this.g = store.create(
        `${name}/g`,
        [units],
        new Float32Array(units).fill(1),
        opts.trainableScale ?? true,
      );
    }
    this.b = store.create(`${name}/b`, [units], new Float32Array(units));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    let y = matMulFast(x, this.v as tf.Tensor2D);
    if (this.g) {
      y = tf.mul(y, tf.div(this.g, lastAxisNorm(this.v)));
    }
    return addBias(y, this.b);
  }

  /**
   * act(apply(x)); one fused kernel each way on wasm for the piecewise-linear activations, whose backward
   * computes only the gradients `wants` names.
   */
  applyActivated(x: tf.Tensor2D, act: Activation, wants: DenseGradients = 'all'): tf.Tensor2D {
    const alpha = PIECEWISE_LINEAR[act];
    const fused = alpha === undefined ? undefined : fusedDense(x, this.v, this.g, this.b, alpha, wants);
    return fused ?? activate(this.apply(x), act);
  }

  /** The weights a plain dense layer would hold (weight norm folded in), for export. Caller disposes. */
  effective(): [tf.Tensor2D, tf.Tensor1D] {
    return tf.tidy(() => {
      const k = this.g ? tf.mul(this.v, tf.div(this.g, lastAxisNorm(this.v))) : tf.clone(this.v);
      return [k as tf.Tensor2D, tf.clone(this.b) as tf.Tensor1D];
    });
  }

  /**
   * Data-dependent init for weight norm (Salimans & Kingma): scale and shift so that the pre-activations on
   * `x` have zero mean and unit variance per unit.
   */
  initFromData(x: tf.Tensor2D): tf.Tensor2D {
    if (!this.g) return this.apply(x);
    return tf.tidy(() => {
      const pre = tf.sub(this.apply(x), this.b);
      const { mean, variance } = tf.moments(pre, 0);
      const scale = tf.div(1, tf.sqrt(tf.add(variance, 1e-8)));
      this.g!.assign(tf.mul(this.g!, scale));
      this.b.assign(tf.neg(tf.mul(mean, scale)));
      return this.apply(x);
    });
  }
}

/** Batch normalisation with batch statistics (generators sample in training mode, as in Improved GAN). */
export class BatchNorm {
  readonly gamma?: tf.Variable;
  readonly beta: tf.Variable;

  /** `scale: false` drops gamma, as Improved GAN's generator does (its batch_norm with g=None). */
  constructor(store: ParamStore, name: string, units: number, scale = true) {
    if (scale) this.gamma = store.create(`${name}/gamma`, [units], new Float32Array(units).fill(1));
    this.beta = store.create(`${name}/beta`, [units], new Float32Array(units));
  }

  /** Over every axis but the last (per feature, or per channel of NHWC images). */
  apply<T extends tf.Tensor>(x: T): T {
    const fused = fusedBatchNorm(x, this.gamma, this.beta, 1e-5);
    if (fused) return fused;
    return this.opForm(x);
  }

  /** act(apply(x)), one fused kernel each way on wasm for the piecewise-linear activations. */
  applyActivated<T extends tf.Tensor>(x: T, act: Activation): T {
    const alpha = PIECEWISE_LINEAR[act];
    const fused = alpha === undefined ? undefined : fusedBatchNorm(x, this.gamma, this.beta, 1e-5, alpha);
    return fused ?? activate(this.opForm(x), act);
  }

  private opForm<T extends tf.Tensor>(x: T): T {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(this.gamma ? tf.mul(normed, this.gamma) : normed, this.beta) as T;
  }
}

/** Additive Gaussian noise during training only; the noise comes from the run's seeded Rng. */
export function gaussianNoise<T extends tf.Tensor>(x: T, std: number, rng: Rng | undefined): T {
  if (!rng || std <= 0) return x;
  return tf.add(
    x,
    filledTensor(x.shape, (out) => rng.fillNormal(out, std)),
  ) as T;
}

/** Inverted dropout during training only (mask from the run's seeded Rng). */
export function dropout<T extends tf.Tensor>(x: T, rate: number, rng: Rng | undefined): T {
  if (!rng || rate <= 0) return x;
  return tf.mul(
    x,
    filledTensor(x.shape, (out) => rng.fillDropoutMask(out, rate)),
  ) as T;
}
