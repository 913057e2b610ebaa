import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.js';
import { Conv2D } from './conv-layers.js';
import { convLayer, denseLayer, leaky } from './export-layers.js';
import { leakyRelu } from './fast-ops.js';
import { Dense, dropout, gaussianNoise } from './layers.js';
import type { Discriminator, DiscriminatorOutput } from './net.js';
import { ParamStore } from './params.js';

export interface ResnetDiscriminatorConfig {
  /** [height, width, channels] */
  inputShape: number[];
  numLogits: number;
  /** Channels of the stem and of each residual stage; every stage halves the resolution. */
  widths: number[];
  /** Stride of the stem convolution: 2 halves the cost of every later layer on large images. */
  stemStride?: number;
  /** Std of Gaussian noise on the input during training. */
  inputNoise?: number;
  /** Dropout between stages during training (Improved GAN's CIFAR net: 0.5). */
  dropout?: number;
}

interface Block {
  a: Conv2D;
  b: Conv2D;
  skip: Conv2D;
}

/**
 * A small residual CNN (He et al. 2016) sized for CPU: a 3×3 stem, then per stage a block of two 3×3
 * convolutions (the first with stride 2) plus a 1×1 stride-2 shortcut, leaky ReLU; global average pooling
 * gives the features (for feature matching) and a dense layer the K logits. No batch norm: a discriminator
 * sees real and generated batches together and batch statistics would leak between them; weight norm with
 * data-dependent init keeps activations scaled instead (as Improved GAN's CIFAR discriminator).
 */
export class ResnetDiscriminator implements Discriminator {
  readonly params = new ParamStore('d');
  readonly inputShape: number[];
  readonly numLogits: number;
  private readonly stem: Conv2D;
  private readonly blocks: Block[] = [];
  private readonly out: Dense;

  constructor(
    readonly config: ResnetDiscriminatorConfig,
    rng: Rng,
  ) {
    this.inputShape = config.inputShape.slice();
    this.numLogits = config.numLogits;
    const [w0, ...stages] = config.widths;
    const wn = { weightNorm: true };
    this.stem = new Conv2D(this.params, 'stem', 3, config.inputShape[2], w0, rng, {
      ...wn,
      stride: config.stemStride ?? 1,
    });
    let cin = w0;
    stages.forEach((cout, i) => {
      this.blocks.push({
        a: new Conv2D(this.params, `stage${i + 1}/a`, 3, cin, cout, rng, { ...wn, stride: 2 }),
        b: new Conv2D(this.params, `stage${i + 1}/b`, 3, cout, cout, rng, wn),
        skip: new Conv2D(this.params, `stage${i + 1}/skip`, 1, cin, cout, rng, { ...wn, stride: 2 }),
      });
      cin = cout;
    });
    this.out = new Dense(this.params, 'logits', cin, config.numLogits, rng, { weightNorm: true });
  }

  private run(x: tf.Tensor, rng: Rng | undefined, init: boolean): DiscriminatorOutput {
    const n = x.shape[0];
    const [ih, iw, ic] = this.inputShape;
    const images = tf.reshape(x, [n, ih, iw, ic]) as tf.Tensor4D;
    let h: tf.Tensor4D = gaussianNoise(images, this.config.inputNoise ?? 0, rng);
    // the data-dependent init sets each layer's scale from its pre-activations, so it keeps the unfused form
    const applyLeaky = (c: Conv2D, t: tf.Tensor4D) =>
      init ? leakyRelu(c.initFromData(t), 0.2) : c.applyLeaky(t, 0.2);
    h = applyLeaky(this.stem, h);
    this.blocks.forEach(({ a, b, skip }, i) => {
      // dropout between stages, not on the pooled features that feature matching reads
      if (i > 0) h = dropout(h, this.config.dropout ?? 0, rng);
      const inner = applyLeaky(a, h);
      h = init
        ? leakyRelu(tf.add(b.initFromData(inner), skip.initFromData(h)), 0.2)
        : b.applyLeaky(inner, 0.2, skip.apply(h));
    });
    const features = tf.mean(h, [1, 2]) as tf.Tensor2D;
    const logits = init ? this.out.initFromData(features) : this.out.apply(features);
    return { logits, features };
  }

  forward(x: tf.Tensor, rng?: Rng): DiscriminatorOutput {
    return this.run(x, rng, false);
  }

  initFromData(x: tf.Tensor, rng?: Rng): void {
    tf.tidy(() => {
      this.run(x, rng, true);
    });
  }

  toLayersModel(numClasses: number): tf.LayersModel {
    const input = tf.input({ shape: this.inputShape });
    let h = leaky(convLayer(this.stem, input));
    for (const { a, b, skip } of this.blocks) {
      const r = convLayer(b, leaky(convLayer(a, h)));
      h = leaky(tf.layers.add().apply([r, convLayer(skip, h)]) as tf.SymbolicTensor);
    }
    const features = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    const out = denseLayer(this.out, features, numClasses, 'softmax');
    return tf.model({ inputs: input, outputs: out, name: 'semigan_classifier' });
  }
}
