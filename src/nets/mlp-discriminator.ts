import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.js';
import { activate, Dense, gaussianNoise, type Activation } from './layers.js';
import { denseLayer } from './export-layers.js';
import type { Discriminator, DiscriminatorOutput, ForwardOptions } from './net.js';
import { ParamStore } from './params.js';

export interface MlpDiscriminatorConfig {
  inputShape: number[];
  hidden: number[];
  numLogits: number;
  activation?: Activation;
  /** Std of Gaussian noise added to the input during training (Improved GAN MNIST: 0.3). */
  inputNoise?: number;
  /** Std of Gaussian noise added after each hidden layer during training (Improved GAN MNIST: 0.5). */
  hiddenNoise?: number;
  weightNorm?: boolean;
  /**
   * With weight norm: train the hidden layers' scales g too. Improved GAN fixes them after the data-dependent
   * init and trains only the output layer's scale.
   */
  trainHiddenScale?: boolean;
  /** Std of the initial weight directions (Improved GAN: 0.1). */
  initStd?: number;
}

export class MlpDiscriminator implements Discriminator {
  readonly params = new ParamStore('d');
  readonly inputShape: number[];
  readonly numLogits: number;
  private readonly layers: Dense[] = [];
  private readonly out: Dense;

  constructor(
    readonly config: MlpDiscriminatorConfig,
    rng: Rng,
  ) {
    this.inputShape = config.inputShape.slice();
    this.numLogits = config.numLogits;
    let width = config.inputShape.reduce((a, b) => a * b, 1);
    const wn = { weightNorm: config.weightNorm, trainableScale: true, initStd: config.initStd };
    const hiddenWn = { ...wn, trainableScale: config.trainHiddenScale ?? true };
    config.hidden.forEach((units, i) => {
      this.layers.push(new Dense(this.params, `dense${i + 1}`, width, units, rng, hiddenWn));
      width = units;
    });
    this.out = new Dense(this.params, 'logits', width, config.numLogits, rng, wn);
  }

  forward(x: tf.Tensor, rng?: Rng, opts: ForwardOptions = {}): DiscriminatorOutput {
    const act = this.config.activation ?? 'lrelu';
    let h = gaussianNoise(tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D, this.config.inputNoise ?? 0, rng);
    let features = h;
    const wants = (first: boolean) =>
      opts.constantWeights ? 'input' : first && opts.constantInput ? 'weights' : 'all';
    for (const [i, layer] of this.layers.entries()) {
      // feature matching reads the last hidden layer before its noise, as the reference does
      features = layer.applyActivated(h, act, wants(i === 0));
      h = gaussianNoise(features, this.config.hiddenNoise ?? 0, rng);
    }
    return { logits: this.out.applyActivated(h, 'linear', wants(this.layers.length === 0)), features };
  }

  /** With an Rng the noise layers are on, as in the reference (its init pass is not deterministic). */
  initFromData(x: tf.Tensor, rng?: Rng): void {
    const act = this.config.activation ?? 'lrelu';
    tf.tidy(() => {
      let h = gaussianNoise(tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D, this.config.inputNoise ?? 0, rng);
      for (const layer of this.layers) {
        h = gaussianNoise(activate(layer.initFromData(h), act), this.config.hiddenNoise ?? 0, rng);
      }
      this.out.initFromData(h);
    });
  }

  toLayersModel(numClasses: number): tf.LayersModel {
    const input = tf.input({ shape: this.inputShape });
    let h = this.inputShape.length > 1 ? (tf.layers.flatten().apply(input) as tf.SymbolicTensor) : input;
    for (const layer of this.layers) h = denseLayer(layer, h, undefined, this.config.activation ?? 'lrelu');
    const out = denseLayer(this.out, h, numClasses, 'softmax');
    return tf.model({ inputs: input, outputs: out, name: 'semigan_classifier' });
  }
}
