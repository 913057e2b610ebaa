import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.js';
import { conv2d, conv2dTranspose, type Padding } from './fast-conv.js';
import { fusedBiasAct, fusedBiasTanh } from '../kernels/wasm-bias-act.js';
import { addBias, lastAxisNorm, leakyRelu } from './fast-ops.js';
import type { ParamStore } from './params.js';

export interface ConvOptions {
  stride?: number;
  padding?: Padding;
  /** Weight-normalise each output channel (w = g·v/‖v‖), as Improved GAN's image discriminators do. */
  weightNorm?: boolean;
  bias?: boolean;
}

/** 2-D convolution, NHWC, filter [k, k, in, out]; He-normal init, or N(0, 0.05) directions with weight norm. */
export class Conv2D {
  readonly v: tf.Variable;
  readonly g?: tf.Variable;
  readonly b?: tf.Variable;
  readonly stride: number;
  readonly padding: Padding;

  constructor(
    store: ParamStore,
    name: string,
    k: number,
    cin: number,
    cout: number,
    rng: Rng,
    o: ConvOptions = {},
  ) {
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? 'same';
    const std = o.weightNorm ? 0.05 : Math.sqrt(2 / (k * k * cin));
    this.v = store.create(
      `${name}/v`,
      [k, k, cin, cout],
      rng.fillNormal(new Float32Array(k * k * cin * cout), std),
    );
    if (o.weightNorm) this.g = store.create(`${name}/g`, [cout], new Float32Array(cout).fill(1));
    if (o.bias ?? true) this.b = store.create(`${name}/b`, [cout], new Float32Array(cout));
  }

  private weights(): tf.Tensor4D {
    const v = this.v as tf.Tensor4D;
    if (!this.g) return v;
    return tf.mul(v, tf.div(this.g, lastAxisNorm(v)));
  }

  /** Filter and bias of a plain convolution (weight norm folded in), for export. Caller disposes. */
  effective(): [tf.Tensor4D, tf.Tensor1D] {
    return tf.tidy(() => [
      tf.clone(this.weights()),
      this.b ? (tf.clone(this.b) as tf.Tensor1D) : tf.zeros([this.v.shape[3]!]),
    ]);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const y = conv2d(x, this.weights(), this.stride, this.padding);
    return this.b ? addBias(y, this.b) : y;
  }

  /**
   * max(p, αp) of apply(x) (+ residual), with the bias and activation in one pass where the addon has it.
   * The residual is added before the bias, which is the same sum.
   */
  applyLeaky(x: tf.Tensor4D, alpha: number, residual?: tf.Tensor4D): tf.Tensor4D {
    const conv = conv2d(x, this.weights(), this.stride, this.padding);
    const y = residual ? (tf.add(conv, residual) as tf.Tensor4D) : conv;
    const fused = this.b ? fusedBiasAct(y, this.b, alpha) : undefined;
    return fused ?? leakyRelu(this.b ? addBias(y, this.b) : y, alpha);
  }

  /** Data-dependent init (weight norm only): zero-mean, unit-variance outputs per channel on x. */
  initFromData(x: tf.Tensor4D): tf.Tensor4D {
    if (!this.g || !this.b) return this.apply(x);
    return tf.tidy(() => {
      const pre = tf.sub(this.apply(x), this.b!);
      const { mean, variance } = tf.moments(pre, [0, 1, 2]);
      const scale = tf.div(1, tf.sqrt(tf.add(variance, 1e-8)));
      this.g!.assign(tf.mul(this.g!, scale));
      this.b!.assign(tf.neg(tf.mul(mean, scale)));
      return this.apply(x);
    });
  }
}

/** Transposed convolution (upsampling by `stride`), filter [k, k, out, in] as tf.conv2dTranspose expects. */
export class ConvTranspose2D {
  readonly w: tf.Variable;
  readonly b?: tf.Variable;

  constructor(
    store: ParamStore,
    name: string,
    k: number,
    cin: number,
    readonly cout: number,
    rng: Rng,
    readonly stride = 2,
    bias = true,
  ) {
    // DCGAN's N(0, 0.02) init
    this.w = store.create(
      `${name}/w`,
      [k, k, cout, cin],
      rng.fillNormal(new Float32Array(k * k * cin * cout), 0.02),
    );
    if (bias) this.b = store.create(`${name}/b`, [cout], new Float32Array(cout));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const y = this.upsample(x);
    return this.b ? addBias(y, this.b) : y;
  }

  /** tanh(apply(x)), bias and tanh in one native pass where the addon has it (a generator's output). */
  applyTanh(x: tf.Tensor4D): tf.Tensor4D {
    const y = this.upsample(x);
    const fused = this.b ? fusedBiasTanh(y, this.b) : undefined;
    return fused ?? tf.tanh(this.b ? addBias(y, this.b) : y);
  }

  /** The transposed convolution alone, before the bias. */
  private upsample(x: tf.Tensor4D): tf.Tensor4D {
    const [n, h, w] = x.shape;
    const out = [n, h * this.stride, w * this.stride, this.cout];
    return conv2dTranspose(x, this.w as tf.Tensor4D, out, this.stride, 'same');
  }
}
