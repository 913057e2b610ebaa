import * as tf from '@tensorflow/tfjs';
import { maxPool2 } from '../kernels/wasm-max-pool.js';
import type { Rng } from '../random.js';
import { Conv2D } from './conv-layers.js';
import { denseLayer } from './export-layers.js';
import { Dense } from './layers.js';
import type { BatchPart, Discriminator, DiscriminatorOutput, ForwardOptions } from './net.js';
import { ParamStore } from './params.js';
import { RunningBatchNorm, type NormMode } from './running-batch-norm.js';

export interface PhotoDiscriminatorConfig {
  /** [height, width, channels] */
  inputShape: number[];
  numLogits: number;
  /** Channels of the 3×3 stem. */
  stemWidth: number;
  /** Channels of each block; every block ends with a 2×2 max-pool. */
  widths: number[];
  /** Max-pool right after the stem: a quarter of the cost of every later layer on large images. */
  poolStem?: boolean;
  /** α of the leaky ReLU after every batch norm (0: ReLU). */
  alpha?: number;
  /** Running-average momentum of the batch norms (PyTorch's convention). */
  momentum?: number;
}

interface Unit {
  conv: Conv2D;
  norm: RunningBatchNorm;
}

/**
 * A fast from-scratch photo classifier in the family of Keller Jordan's airbench: a 3×3 stem, then blocks
 * of two [3×3 conv → batch norm → leaky ReLU] and a 2×2 max-pool, global max-pooling to the features
 * (which feature matching reads) and a dense layer to the K logits. Batch norm is what lets such a net
 * learn photos in a few epochs; in a GAN it sees real and generated batches, so each part of a batch
 * (ForwardOptions.parts) is normalised with its own statistics and only real parts move the running
 * averages that inference uses.
 */
export class PhotoDiscriminator implements Discriminator {
  readonly params = new ParamStore('d');
  readonly inputShape: number[];
  readonly numLogits: number;
  private readonly stem: Unit;
  private readonly blocks: [Unit, Unit][] = [];
  private readonly out: Dense;

  constructor(
    readonly config: PhotoDiscriminatorConfig,
    rng: Rng,
  ) {
    this.inputShape = config.inputShape.slice();
    this.numLogits = config.numLogits;
    const unit = (name: string, cin: number, cout: number): Unit => ({
      conv: new Conv2D(this.params, name, 3, cin, cout, rng, { bias: false }),
      norm: new RunningBatchNorm(this.params, `${name}/bn`, cout, config.momentum ?? 0.1),
    });
    this.stem = unit('stem', config.inputShape[2], config.stemWidth);
    let cin = config.stemWidth;
    config.widths.forEach((cout, i) => {
      this.blocks.push([unit(`block${i + 1}/a`, cin, cout), unit(`block${i + 1}/b`, cout, cout)]);
      cin = cout;
    });
    // small logits at the start: the max-pooled features are O(1) in every one of `cin` channels
    this.out = new Dense(this.params, 'logits', cin, config.numLogits, rng, { initStd: 0.02 });
  }

  private runPart(x: tf.Tensor4D, mode: NormMode): DiscriminatorOutput {
    const alpha = this.config.alpha ?? 0.1;
    const apply = (u: Unit, h: tf.Tensor4D) => u.norm.apply(u.conv.apply(h), mode, alpha);
    // tiny images run out of pixels before the blocks do: a 1-pixel map is not pooled further
    const pool = (h: tf.Tensor4D) => (h.shape[1] >= 2 && h.shape[2] >= 2 ? maxPool2(h) : h);
    let h = apply(this.stem, x);
    if (this.config.poolStem) h = pool(h);
    for (const [a, b] of this.blocks) h = pool(apply(b, apply(a, h)));
    const features = tf.max(h, [1, 2]) as tf.Tensor2D;
    return { logits: this.out.apply(features), features };
  }

  forward(x: tf.Tensor, rng?: Rng, opts: ForwardOptions = {}): DiscriminatorOutput {
    const n = x.shape[0];
    const [ih, iw, ic] = this.inputShape;
    const images = tf.reshape(x, [n, ih, iw, ic]) as tf.Tensor4D;
    if (!rng) return this.runPart(images, 'eval');
    const parts: BatchPart[] = opts.parts ?? [{ rows: n, real: true }];
    // in a generator step D's weights are constants and its averages stay where the D step left them
    const mode = (p: BatchPart): NormMode => (p.real && !opts.constantWeights ? 'train' : 'train-frozen');
    if (parts.length === 1) return this.runPart(images, mode(parts[0]));
    // In a generator step a real part's output depends on nothing trained (D's weights are constants there,
    // and each part has its own statistics), but it comes out of the same split as the fakes, so the tape
    // would run its whole backward pass for a gradient nobody reads: it enters as a constant instead.
    const constant = (xi: tf.Tensor, p: BatchPart) =>
      p.real && opts.constantWeights ? tf.engine().makeTensorFromTensorInfo(xi) : xi;
    const outs = tf
      .split(
        images,
        parts.map((p) => p.rows),
      )
      .map((xi, i) => this.runPart(constant(xi, parts[i]) as tf.Tensor4D, mode(parts[i])));
    return {
      logits: tf.concat(outs.map((o) => o.logits)) as tf.Tensor2D,
      features: tf.concat(outs.map((o) => o.features)) as tf.Tensor2D,
    };
  }

  toLayersModel(numClasses: number): tf.LayersModel {
    const alpha = this.config.alpha ?? 0.1;
    const input = tf.input({ shape: this.inputShape });
    const unit = (u: Unit, x: tf.SymbolicTensor) => {
      const conv = tf.layers.conv2d({
        filters: u.norm.units,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      });
      const norm = tf.layers.batchNormalization({ axis: -1, epsilon: 1e-5 });
      const y = tf.layers.leakyReLU({ alpha }).apply(norm.apply(conv.apply(x))) as tf.SymbolicTensor;
      conv.setWeights([u.conv.v]);
      norm.setWeights([u.norm.gamma, u.norm.beta, u.norm.mean, u.norm.variance]);
      return y;
    };
    const pool = (x: tf.SymbolicTensor) =>
      x.shape[1]! >= 2 && x.shape[2]! >= 2
        ? (tf.layers
            .maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid' })
            .apply(x) as tf.SymbolicTensor)
        : x;
    let h = unit(this.stem, input);
    if (this.config.poolStem) h = pool(h);
    for (const [a, b] of this.blocks) h = pool(unit(b, unit(a, h)));
    const features = tf.layers.globalMaxPooling2d({}).apply(h) as tf.SymbolicTensor;
    const out = denseLayer(this.out, features, numClasses, 'softmax');
    return tf.model({ inputs: input, outputs: out, name: 'semigan_classifier' });
  }
}
