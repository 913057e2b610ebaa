import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.js';
import { ConvTranspose2D } from './conv-layers.js';
import { BatchNorm, Dense } from './layers.js';
import type { Generator } from './net.js';
import { ParamStore } from './params.js';

export interface DcganGeneratorConfig {
  latentSize: number;
  /** [height, width, channels]; height and width a power of two times 4. */
  outputShape: number[];
  /** Channels of the last hidden layer; each earlier layer doubles it (DCGAN: 64 at 64×64). */
  width: number;
}

/**
 * DCGAN generator (Radford et al. 2016): z → 4×4 map → transposed 4×4 convolutions with stride 2, each with
 * batch norm and ReLU, doubling the resolution to the output size; tanh output for images in [−1, 1].
 */
export class DcganGenerator implements Generator {
  readonly params = new ParamStore('g');
  readonly latentSize: number;
  readonly outputShape: number[];
  private readonly project: Dense;
  private readonly projectBn: BatchNorm;
  private readonly ups: { conv: ConvTranspose2D; bn?: BatchNorm }[] = [];
  private readonly startChannels: number;
  private readonly start: number;

  constructor(
    readonly config: DcganGeneratorConfig,
    rng: Rng,
  ) {
    const [h, w, c] = config.outputShape;
    const levels = Math.log2(h / 4);
    if (h !== w || !Number.isInteger(levels) || levels < 1) {
      throw new Error(`DCGAN generator needs square images of 8, 16, 32, 64… pixels, got ${h}×${w}`);
    }
    this.latentSize = config.latentSize;
    this.outputShape = config.outputShape.slice();
    this.start = 4;
    this.startChannels = config.width * 2 ** (levels - 1);
    const units = this.start * this.start * this.startChannels;
    this.project = new Dense(this.params, 'project', config.latentSize, units, rng, { initStd: 0.02 });
    this.projectBn = new BatchNorm(this.params, 'project_bn', this.startChannels);
    let cin = this.startChannels;
    for (let i = 0; i < levels; i++) {
      const last = i === levels - 1;
      const cout = last ? c : cin / 2;
      const conv = new ConvTranspose2D(this.params, `up${i + 1}`, 4, cin, cout, rng, 2, last);
      this.ups.push({ conv, bn: last ? undefined : new BatchNorm(this.params, `up${i + 1}_bn`, cout) });
      cin = cout;
    }
  }

  sampleLatent(n: number, rng: Rng): tf.Tensor2D {
    return tf.tensor2d(rng.fillNormal(new Float32Array(n * this.latentSize)), [n, this.latentSize]);
  }

  forward(z: tf.Tensor2D): tf.Tensor {
    const n = z.shape[0];
    const p = tf.reshape(this.project.apply(z), [
      n,
      this.start,
      this.start,
      this.startChannels,
    ]) as tf.Tensor4D;
    let h = this.projectBn.applyActivated(p, 'relu');
    for (const { conv, bn } of this.ups) {
      h = bn ? bn.applyActivated(conv.apply(h), 'relu') : conv.applyTanh(h);
    }
    return h;
  }
}
