import * as tf from '@tensorflow/tfjs';
import { featureSize, takeRows } from '../data/dataset.js';
import type { LabeledSet, UnlabeledSet } from '../data/split.js';
import { accuracy, argmaxRows, predictProbabilities } from '../eval/predict.js';
import type { Discriminator, Generator } from '../nets/net.js';
import type { Objective } from '../objectives/objective.js';
import { Rng } from '../random.js';
import { Adam } from './adam.js';
import { augmentImage, type Augmentation } from './augment.js';
import { consistencyLoss } from '../objectives/consistency.js';
import { IndexStream } from './batches.js';
import { WeightAverage } from './weight-average.js';

export interface TrainConfig {
  /** Unlabeled and generated examples per step. */
  batchSize: number;
  /** Labeled examples per step (the labeled set is cycled to fill it); defaults to batchSize. */
  labeledBatchSize?: number;
  learningRate: number;
  /** Generator learning rate; defaults to learningRate. */
  generatorLearningRate?: number;
  beta1?: number;
  /** Adam's β2 for both nets (default 0.999; Bad GAN's MNIST run: 0.9999). */
  beta2?: number;
  /** Generator's β1; defaults to beta1 (Bad GAN's MNIST run: 0). */
  generatorBeta1?: number;
  seed: number;
  /** Data-dependent weight-norm init on this many unlabeled examples before the first step (0: off). */
  initExamples?: number;
  /** Where Adam's ε goes (see AdamConfig); the Improved GAN preset uses the reference's 'inside'. */
  adamEpsilon?: 'outside' | 'inside';
  /** Evaluate with an exponential moving average of D's weights at this rate (Improved GAN: 1e-4); 0: off. */
  weightAverageRate?: number;
  /**
   * Image augmentation of every real batch D sees (labeled and unlabeled, all methods alike): random
   * flips, shifts, turns and rescaling (see Augmentation).
   */
  augment?: Augmentation;
  /**
   * Weight of the Π-model consistency term on D (0: off): each unlabeled batch goes through D a second time,
   * with its own augmentation and noise, and the two class-probability vectors are pulled together.
   */
  consistencyWeight?: number;
}

/**
 * What the trainer may see. Note what is absent: the unlabeled set has no labels, so no code path can
 * read them (label honesty by construction).
 */
export interface TrainData {
  featureShape: number[];
  numClasses: number;
  labeled: LabeledSet;
  unlabeled: UnlabeledSet;
}

export interface StepLosses {
  step: number;
  d: number;
  g: number;
}

/** One semi-supervised GAN training run: owns the nets' optimizers, the data on the backend, the RNG. */
export class Trainer {
  readonly rng: Rng;
  stepCount = 0;
  /** Multiplies consistencyWeight for the next step: the run loop sets it from the ramp-up (derived from the step, so not checkpointed). */
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
    if (objective.usesGenerator) {
      this.unlabeledX = data.unlabeled.x;
      this.unlabeledStream = new IndexStream(nUnl);
      this.generatorStream = new IndexStream(nUnl);
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
  private gatherRows(x: Float32Array, rows: Int32Array, augment = false): tf.Tensor {
    const shape = this.data.featureShape;
    const size = featureSize(shape);
    const aug = augment && shape.length === 3 ? this.config.augment : undefined;
    if (!aug) return tf.tensor(takeRows(x, size, rows), [rows.length, ...shape], 'float32');
    const out = new Float32Array(rows.length * size);
    for (let i = 0; i < rows.length; i++) {
      const src = x.subarray(rows[i] * size, (rows[i] + 1) * size);
      augmentImage(src, out.subarray(i * size, (i + 1) * size), shape, aug, this.rng);
    }
    return tf.tensor(out, [rows.length, ...shape], 'float32');
  }

  /** One discriminator update, then (for GAN methods) one generator update. */
  step(): void {
    const { objective, discriminator: d, generator: g, config, rng } = this;
    const nl = config.labeledBatchSize ?? config.batchSize;
    const nb = config.batchSize;
    const losses = tf.tidy(() => {
      const li = this.labeledStream.next(nl, rng);
      const xl = this.gatherRows(this.labeledX, li, true);
      const yl = tf.gather(this.labeledY, tf.tensor1d(li, 'int32')) as tf.Tensor1D;
      if (!objective.usesGenerator || !g) {
        const { value, grads } = tf.variableGrads(
          () =>
            objective.discriminatorLoss({
              labeledLogits: d.forward(xl, rng, { constantInput: true }).logits,
              labels: yl,
            }),
          d.params.trainable(),
        );
        this.optD.apply(grads);
        this.average?.update();
        return tf.stack([value, tf.scalar(0)]);
      }
      const unlabeledRows = this.unlabeledStream!.next(nb, rng);
      const xu = this.gatherRows(this.unlabeledX!, unlabeledRows, true);
      const fake = g.forward(g.sampleLatent(nb, rng));
      const cw = config.consistencyWeight ?? 0;
      // drawn only when used, so runs without it keep their random stream (and their checkpoints) exactly
      const xu2 = cw > 0 ? this.gatherRows(this.unlabeledX!, unlabeledRows, true) : undefined;
      const dStep = tf.variableGrads(() => {
        // one forward over labeled ‖ unlabeled ‖ fake (‖ unlabeled again); a D with batch statistics
        // normalises each part on its own (parts), so this equals separate calls
        const parts = [
          { rows: nl, real: true },
          { rows: nb, real: true },
          { rows: nb, real: false },
          ...(xu2 ? [{ rows: nb, real: true }] : []),
        ];
        const out = d.forward(tf.concat(xu2 ? [xl, xu, fake, xu2] : [xl, xu, fake]), rng, {
          constantInput: true,
          parts,
        });
        const part = (t: tf.Tensor2D, i: number, n: number) =>
          tf.slice(t, [i, 0], [n, t.shape[1]]) as tf.Tensor2D;
        const unlabeledLogits = part(out.logits, nl, nb);
        const loss = objective.discriminatorLoss({
          labeledLogits: part(out.logits, 0, nl),
          labels: yl,
          unlabeledLogits,
          fakeLogits: part(out.logits, nl + nb, nb),
          unlabeledFeatures: part(out.features, nl, nb),
        });
        if (!xu2) return loss;
        const again = part(out.logits, nl + 2 * nb, nb);
        const pi = consistencyLoss(objective.classLogits(unlabeledLogits), objective.classLogits(again));
        return tf.add(loss, tf.mul(cw * this.consistencyScale, pi)) as tf.Scalar;
      }, d.params.trainable());
      this.optD.apply(dStep.grads);
      this.average?.update();

      const xr = this.gatherRows(this.unlabeledX!, this.generatorStream!.next(nb, rng), true);
      const gStep = tf.variableGrads(() => {
        const fakeInputs = g.forward(g.sampleLatent(nb, rng));
        // D's weights are constants here: its layers may skip their weight gradients
        const out = d.forward(tf.concat([xr, fakeInputs]), rng, {
          constantWeights: true,
          parts: [
            { rows: nb, real: true },
            { rows: nb, real: false },
          ],
        });
        const feats = out.features;
        const w = feats.shape[1];
        return objective.generatorLoss({
          fakeLogits: tf.slice(out.logits, [nb, 0], [nb, out.logits.shape[1]]) as tf.Tensor2D,
          realFeatures: tf.slice(feats, [0, 0], [nb, w]) as tf.Tensor2D,
          fakeFeatures: tf.slice(feats, [nb, 0], [nb, w]) as tf.Tensor2D,
          fakeInputs,
        });
      }, g.params.trainable());
      this.optG!.apply(gStep.grads);
      return tf.stack([dStep.value, gStep.value]);
    });
    this.lastLosses?.dispose();
    this.lastLosses = losses;
    this.stepCount++;
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
