import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.js';
import { BatchNorm, Dense, type Activation } from './layers.js';
import type { Generator } from './net.js';
import { ParamStore } from './params.js';

export interface MlpGeneratorConfig {
  latentSize: number;
  hidden: number[];
  outputShape: number[];
  activation?: Activation;
  outputActivation?: Activation;
  batchNorm?: boolean;
  /** Learn a per-unit scale in batch norm (default true; Improved GAN MNIST: false). */
  batchNormScale?: boolean;
  /** Weight-normalise the output layer (Improved GAN MNIST does). */
  outputWeightNorm?: boolean;
  /** z ~ Uniform(0,1) as in Improved GAN, or N(0,1). */
  latent?: 'uniform' | 'normal';
  /** Weight init of every layer (Improved GAN: Lasagne's default, Glorot uniform). */
  init?: 'normal' | 'glorot-uniform';
}

export class MlpGenerator implements Generator {
  readonly params = new ParamStore('g');
  readonly latentSize: number;
  readonly outputShape: number[];
  private readonly layers: { dense: Dense; bn?: BatchNorm }[] = [];
  private readonly out: Dense;

  constructor(
    readonly config: MlpGeneratorConfig,
    rng: Rng,
  ) {
    this.latentSize = config.latentSize;
    this.outputShape = config.outputShape.slice();
    let width = config.latentSize;
    config.hidden.forEach((units, i) => {
      const dense = new Dense(this.params, `dense${i + 1}`, width, units, rng, { init: config.init });
      const bn = config.batchNorm
        ? new BatchNorm(this.params, `bn${i + 1}`, units, config.batchNormScale ?? true)
        : undefined;
      this.layers.push({ dense, bn });
      width = units;
    });
    const outSize = config.outputShape.reduce((a, b) => a * b, 1);
    this.out = new Dense(this.params, 'out', width, outSize, rng, {
      weightNorm: config.outputWeightNorm,
      init: config.init,
    });
  }

  sampleLatent(n: number, rng: Rng): tf.Tensor2D {
    const z = new Float32Array(n * this.latentSize);
    if ((this.config.latent ?? 'uniform') === 'uniform') rng.fillUniform(z);
    else rng.fillNormal(z);
    return tf.tensor2d(z, [n, this.latentSize]);
  }

  forward(z: tf.Tensor2D): tf.Tensor {
    const act = this.config.activation ?? 'relu';
    let h = z;
    for (const { dense, bn } of this.layers) {
      h = bn ? bn.applyActivated(dense.apply(h), act) : dense.applyActivated(h, act);
    }
    const y = this.out.applyActivated(h, this.config.outputActivation ?? 'linear');
    return tf.reshape(y, [z.shape[0], ...this.outputShape]);
  }
}
