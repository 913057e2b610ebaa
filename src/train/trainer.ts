import * as tf from '@tensorflow/tfjs';
import { featureSize, takeRows } from '../data/dataset.js';
import { accuracy, argmaxRows, predictProbabilities } from '../eval/predict.js';
import type { Discriminator, Generator } from '../nets/net.js';
import { usesUnlabeled, type Objective } from '../objectives/objective.js';
import { Rng } from '../random.js';
import { Adam } from './adam.js';
import { augmentImage } from './augment.js';
import type { StepLosses, TrainConfig, TrainData } from './train-config.js';
import { IndexStream } from './batches.js';
import { WeightAverage } from './weight-average.js';

export type { TrainConfig, TrainData, StepLosses } from './train-config.js';

/** One semi-supervised GAN training run: owns the nets' optimizers, the data on the backend, the RNG. */
export class Trainer {
  readonly rng: Rng;
  stepCount = 0;
  /**
   * Multiplies the unlabeled consistency and pseudo-label terms in the next step: the run loop sets it from
   * the ramp-up (derived from the step, so not checkpointed).
   */
  consistencyScale = 1;
  // public for checkpointing (trainer-state.ts); not part of the API
  readonly optD: Adam;
  readonly optG?: Adam;
  readonly average?: WeightAverage;
  readonly labeledStream: IndexStream;
  readonly unlabeledStream?: IndexStream;
  readonly generatorStream?: IndexStream;
  private readonly labeledX: Float32Array;
  private readonly labeledY: tf.Tensor1D;
  private readonly unlabeledX?: Float32Array;
  private lastLosses: tf.Tensor | null = null;

  constructor(
    readonly objective: Objective,
    readonly discriminator: Discriminator,
    readonly generator: Generator | undefined,
    readonly data: TrainData,
    readonly config: TrainConfig,
  ) {
    if (objective.usesGenerator && !generator) throw new Error(`method ${objective.name} needs a generator`);
    this.rng = new Rng(config.seed);
    this.labeledX = data.labeled.x;
    this.labeledY = tf.tensor1d(data.labeled.y, 'int32');
    this.labeledStream = new IndexStream(data.labeled.y.length);
    const nUnl = data.unlabeled.ids.length;
    if (usesUnlabeled(objective)) {
      this.unlabeledX = data.unlabeled.x;
      this.unlabeledStream = new IndexStream(nUnl);
      if (objective.usesGenerator) this.generatorStream = new IndexStream(nUnl);
    }
    const keyed = (vars: tf.Variable[], names: string[]) =>
      vars.map((variable, i) => ({ key: names[i], variable }));
    const beta1 = config.beta1 ?? 0.5;
    const adam = { beta2: config.beta2, epsilonPlacement: config.adamEpsilon };
    const dVars = keyed(discriminator.params.all(), discriminator.params.names()).filter(
      (e) => e.variable.trainable,
    );
    this.optD = new Adam(dVars, {
      ...adam,
      learningRate: config.learningRate,
      beta1,
    });
    if (config.weightAverageRate) this.average = new WeightAverage(dVars, config.weightAverageRate);
    if (objective.usesGenerator && generator) {
      this.optG = new Adam(
        keyed(generator.params.all(), generator.params.names()).filter((e) => e.variable.trainable),
        {
          ...adam,
          learningRate: config.generatorLearningRate ?? config.learningRate,
          beta1: config.generatorBeta1 ?? beta1,
        },
      );
    }
    if (config.initExamples && discriminator.initFromData) {
      // data-dependent init on the examples this method may see: unlabeled ones, or for supervised
      // training the labeled set itself
      const pool = this.unlabeledX ?? this.labeledX;
      const count = this.unlabeledX ? nUnl : data.labeled.y.length;
      const rows = this.rng.permutation(count).slice(0, Math.min(config.initExamples, count));
      tf.tidy(() => discriminator.initFromData!(this.gatherRows(pool, rows), this.rng));
    }
  }

  /**
   * A batch assembled on the JS side and uploaded once: the data stay in JS memory (not duplicated on the
   * backend), and copying rows is ≈20× faster than wasm's GatherV2 on image rows.
   */
  private gatherRows(x: Float32Array, rows: Int32Array, augment = false, strong = false): tf.Tensor {
    const shape = this.data.featureShape;
    const size = featureSize(shape);
    const base = augment && shape.length === 3 ? this.config.augment : undefined;
    const aug = strong && shape.length === 3 ? { flip: false, translate: 0, ...base, strong: true } : base;
    if (!aug) return tf.tensor(takeRows(x, size, rows), [rows.length, ...shape], 'float32');
    const out = new Float32Array(rows.length * size);
    for (let i = 0; i < rows.length; i++) {
      const src = x.subarray(rows[i] * size, (rows[i] + 1) * size);
      augmentImage(src, out.subarray(i * size, (i + 1) * size), shape, aug, this.rng);
    }
    return tf.tensor(out, [rows.length, ...shape], 'float32');
  }

  /**
   * One discriminator update, then (for GAN methods) one generator update. The random stream is drawn in a
   * fixed order (labeled rows and their augmentation, unlabeled rows and theirs, the fakes' latents, the
   * further views, then the generator's batch), so a resumed run continues bit for bit.
   */
  step(): void {
    const { objective, generator: g, config, rng } = this;
    const nl = config.labeledBatchSize ?? config.batchSize;
    const nb = config.batchSize;
    const losses = tf.tidy(() => {
      const li = this.labeledStream.next(nl, rng);
      const xl = this.gatherRows(this.labeledX, li, true);
      const yl = tf.gather(this.labeledY, tf.tensor1d(li, 'int32')) as tf.Tensor1D;
      if (!this.unlabeledStream) return tf.stack([this.supervisedStep(xl, yl), tf.scalar(0)]);
      const rows = this.unlabeledStream.next(nb, rng);
      const xu = this.gatherRows(this.unlabeledX!, rows, true);
      const fake = g?.forward(g.sampleLatent(nb, rng));
      const views = (objective.unlabeledViews ?? []).map((v) =>
        this.gatherRows(this.unlabeledX!, rows, true, v === 'strong'),
      );
      const dLoss = this.discriminatorStep({ xl, yl, xu, fake, views });
      return tf.stack([dLoss, g ? this.generatorStep(g) : tf.scalar(0)]);
    });
    this.lastLosses?.dispose();
    this.lastLosses = losses;
    this.stepCount++;
  }

  private supervisedStep(xl: tf.Tensor, yl: tf.Tensor1D): tf.Scalar {
    const d = this.discriminator;
    const { value, grads } = tf.variableGrads(
      () =>
        this.objective.discriminatorLoss({
          labeledLogits: d.forward(xl, this.rng, { constantInput: true }).logits,
          labels: yl,
        }),
      d.params.trainable(),
    );
    this.optD.apply(grads);
    this.average?.update();
    return value;
  }

  private discriminatorStep(b: {
    xl: tf.Tensor;
    yl: tf.Tensor1D;
    xu: tf.Tensor;
    fake?: tf.Tensor;
    views: tf.Tensor[];
  }): tf.Scalar {
    const d = this.discriminator;
    const [nl, nb] = [b.xl.shape[0], b.xu.shape[0]];
    const real = (rows: number) => ({ rows, real: true });
    const inputs = [b.xl, b.xu, ...(b.fake ? [b.fake] : []), ...b.views];
    const parts = [
      // a labeled batch no loss reads (a plain GAN, label-free feature learning) keeps out of the running
      // batch-norm averages: its few placeholder rows would otherwise weigh as much as the whole pool
      { rows: nl, real: this.objective.usesLabels },
      real(nb),
      ...(b.fake ? [{ rows: nb, real: false }] : []),
      ...b.views.map(() => real(nb)),
    ];
    const { value, grads } = tf.variableGrads(() => {
      // one forward over labeled ‖ unlabeled ‖ fake ‖ further views; a D with batch statistics normalises
      // each part on its own (parts), so this equals separate calls
      const out = d.forward(tf.concat(inputs), this.rng, { constantInput: true, parts });
      const starts = parts.map((_, i) => parts.slice(0, i).reduce((a, p) => a + p.rows, 0));
      const part = (t: tf.Tensor2D, i: number) =>
        tf.slice(t, [starts[i], 0], [parts[i].rows, t.shape[1]]) as tf.Tensor2D;
      const firstView = b.fake ? 3 : 2;
      return this.objective.discriminatorLoss({
        labeledLogits: part(out.logits, 0),
        labels: b.yl,
        unlabeledLogits: part(out.logits, 1),
        fakeLogits: b.fake ? part(out.logits, 2) : undefined,
        unlabeledFeatures: part(out.features, 1),
        unlabeledViewLogits: b.views.map((_, i) => part(out.logits, firstView + i)),
        unlabeledWeight: this.consistencyScale,
      });
    }, d.params.trainable());
    this.optD.apply(grads);
    this.average?.update();
    return value;
  }

  private generatorStep(g: Generator): tf.Scalar {
    const { discriminator: d, config } = this;
    const nb = config.batchSize;
    const xr = this.gatherRows(this.unlabeledX!, this.generatorStream!.next(nb, this.rng), true);
    const { value, grads } = tf.variableGrads(() => {
      const fakeInputs = g.forward(g.sampleLatent(nb, this.rng));
      // D's weights are constants here: its layers may skip their weight gradients
      const out = d.forward(tf.concat([xr, fakeInputs]), this.rng, {
        constantWeights: true,
        parts: [
          { rows: nb, real: true },
          { rows: nb, real: false },
        ],
      });
      const feats = out.features;
      const w = feats.shape[1];
      return this.objective.generatorLoss({
        fakeLogits: tf.slice(out.logits, [nb, 0], [nb, out.logits.shape[1]]) as tf.Tensor2D,
        realFeatures: tf.slice(feats, [0, 0], [nb, w]) as tf.Tensor2D,
        fakeFeatures: tf.slice(feats, [nb, 0], [nb, w]) as tf.Tensor2D,
        fakeInputs,
      });
    }, g.params.trainable());
    this.optG!.apply(grads);
    return value;
  }

  /** Losses of the last step (reads from the backend: call it when you log, not every step). */
  readLosses(): StepLosses {
    const [dl, gl] = this.lastLosses ? Array.from(this.lastLosses.dataSync()) : [NaN, NaN];
    return { step: this.stepCount, d: dl, g: gl };
  }

  /** Epochs completed over the unlabeled set (or the labeled set for supervised training). */
  get epoch(): number {
    return (this.unlabeledStream ?? this.labeledStream).epoch;
  }

  /** Class probabilities with the evaluation weights (the weight average when enabled). */
  predict(x: Float32Array, opts: { live?: boolean } = {}): { probs: Float32Array; numClasses: number } {
    const run = () => predictProbabilities(this.discriminator, this.objective, x);
    return this.average && !opts.live ? this.average.withAveraged(run) : run();
  }

  /** Accuracy with the evaluation weights, or with the live weights when `live`. */
  evaluate(x: Float32Array, y: Int32Array, opts: { live?: boolean } = {}): number {
    const { probs, numClasses } = this.predict(x, opts);
    return accuracy(argmaxRows(probs, numClasses), y);
  }

  /** Generated examples as a flat array (e.g. for plotting). */
  sample(n: number, rng = new Rng(this.config.seed + 1)): Float32Array {
    const g = this.generator;
    if (!g) return new Float32Array(0);
    const x = tf.tidy(() => g.forward(g.sampleLatent(n, rng)));
    const values = x.dataSync() as Float32Array;
    x.dispose();
    return values;
  }

  /** Frees everything the run holds on the backend, the nets' weights included: a trainer owns its nets. */
  dispose(): void {
    this.discriminator.params.dispose();
    this.generator?.params.dispose();
    this.objective.dispose?.();
    this.lastLosses?.dispose();
    this.labeledY.dispose();
    this.optD.dispose();
    this.optG?.dispose();
    this.average?.dispose();
  }
}
