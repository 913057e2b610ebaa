import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormWithStats } from '../kernels/wasm-batch-norm.js';
import { leakyRelu } from './fast-ops.js';
import type { ParamStore } from './params.js';

const EPSILON = 1e-5;

/** How a batch-norm layer treats one batch. */
export type NormMode =
  /** batch statistics, and the running averages move towards them (real training data) */
  | 'train'
  /** batch statistics, running averages untouched (generated batches, and D's forward in a G step) */
  | 'train-frozen'
  /** the running averages (inference) */
  | 'eval';

/**
 * Batch normalisation for a classifier: batch statistics while training, running averages (PyTorch's
 * momentum convention) for inference, then max(p, αp). The averages are non-trainable parameters, so they go
 * into checkpoints and exports with the weights.
 */
export class RunningBatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;

  constructor(
    store: ParamStore,
    name: string,
    readonly units: number,
    readonly momentum = 0.1,
  ) {
    this.gamma = store.create(`${name}/gamma`, [units], new Float32Array(units).fill(1));
    this.beta = store.create(`${name}/beta`, [units], new Float32Array(units));
    this.mean = store.create(`${name}/mean`, [units], new Float32Array(units), false);
    this.variance = store.create(`${name}/variance`, [units], new Float32Array(units).fill(1), false);
  }

  apply(x: tf.Tensor4D, mode: NormMode, alpha: number): tf.Tensor4D {
    if (mode === 'eval') return leakyRelu(this.affine(x, this.mean, this.variance), alpha);
    const fused = fusedBatchNormWithStats(x, this.gamma, this.beta, EPSILON, alpha);
    if (fused) {
      if (mode === 'train') {
        // the kernel gives 1/√(σ² + ε); the running average keeps σ² (biased, as the normalisation used)
        this.update(
          fused.mean,
          tf.tidy(() => tf.sub(tf.reciprocal(tf.square(fused.inv)), EPSILON)),
        );
      }
      tf.dispose([fused.mean, fused.inv]);
      return fused.y;
    }
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    if (mode === 'train') this.update(mean, variance);
    return leakyRelu(this.affine(x, mean, variance), alpha);
  }

  private affine(x: tf.Tensor4D, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor4D {
    const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(variance, EPSILON)));
    return tf.add(tf.mul(x, scale), tf.sub(this.beta, tf.mul(mean, scale)));
  }

  private update(batchMean: tf.Tensor, batchVariance: tf.Tensor): void {
    const m = this.momentum;
    tf.tidy(() => {
      this.mean.assign(tf.add(tf.mul(this.mean, 1 - m), tf.mul(batchMean, m)));
      this.variance.assign(tf.add(tf.mul(this.variance, 1 - m), tf.mul(batchVariance, m)));
    });
  }
}
