import * as tf from '@tensorflow/tfjs';
import { photoPreset } from '../experiments/presets.js';
import { contrastive } from '../objectives/contrastive.js';
import { minimax } from '../objectives/minimax.js';
import { Rng } from '../random.js';
import { Stopped } from '../errors.js';
import { nextTurn } from '../util/next-turn.js';
import { Trainer } from '../train/trainer.js';
import { exampleCount, featureSize, takeRows } from './dataset.js';
import { averagePoolImages } from './pixel-embedding.js';
import type { LabelFreePool } from './select-labels.js';

/**
 * What teaches the feature net without labels: `contrastive` (SimCLR: two augmented views of a photo must find
 * each other among the batch) or `gan` (a plain GAN's discriminator, real vs generated).
 */
export type FeatureLearner = 'contrastive' | 'gan';

/** How much a label-free feature net trains: a fixed budget, so a selection takes a known time. */
export interface FeatureBudget {
  learner: FeatureLearner;
  /** Training steps (for the GAN: one discriminator and one generator update each). */
  steps: number;
  /** Images are average-pooled to at most this side first: a quarter of the pixels per halving. */
  maxSide: number;
  batchSize: number;
  /** At most this many passes over the pool: a small pool needs far fewer steps than a large one. */
  maxEpochs: number;
}

/**
 * SimCLR for 500 steps of 128 photos at 32 px. On cats vs dogs (seed 1, exploration) the space's 20-NN accuracy
 * was 63.0% after 250 steps, 64.5% after 500, 64.1% after 750 and 63.3% after 1000: it levels off by 500.
 * (5.3 passes over 12 000 photos); a small pool stops after 10 passes, so a few hundred photos take seconds.
 */
export const DEFAULT_FEATURE_BUDGET: FeatureBudget = {
  learner: 'contrastive',
  steps: 500,
  maxSide: 32,
  batchSize: 128,
  maxEpochs: 10,
};

/** The earlier representative features: 3–4.5 minutes on 12 000 photos at 64 px on 2 shared cores. */
export const GAN_FEATURE_BUDGET: FeatureBudget = {
  learner: 'gan',
  steps: 150,
  maxSide: 32,
  batchSize: 64,
  maxEpochs: 3,
};

/**
 * Features learnt from the unlabeled images alone, for typical-example selection (TypiClust): the photo
 * preset's discriminator trained for a fixed budget with no class and no label, then every image embedded by
 * its global-max-pooled features in evaluation mode (running batch-norm averages), each vector scaled to unit
 * length so distances compare directions, as in TypiClust's self-supervised features.
 * - contrastive (default): SimCLR's objective. A photo's two augmented views must be nearer each other than
 *   any other photo of the batch, so the features keep what survives flips, shifts, crops and colour changes:
 *   the animal more than its background (bench/results/select-labels-photos.json measures how much).
 * - gan: a plain GAN's discriminator; its features describe what photos are made of, which barely tells the
 *   classes apart on cats vs dogs.
 * Seeded and deterministic on one backend. Asynchronous only so that Ctrl-C is heard between steps.
 */
export async function learnedFeatures(
  d: LabelFreePool,
  seed: number,
  budget: FeatureBudget = DEFAULT_FEATURE_BUDGET,
  hooks: { onStep?(step: number, total: number): void; shouldStop?(): boolean } = {},
): Promise<{ z: Float64Array; dim: number }> {
  const { x, shape } = averagePoolImages(d.x, d.featureShape, budget.maxSide);
  const n = exampleCount(d);
  const batch = Math.min(budget.batchSize, n);
  const trainer = featureTrainer(budget.learner, x, shape, n, batch, seed);
  try {
    const steps = Math.min(budget.steps, Math.ceil((budget.maxEpochs * n) / batch));
    for (let s = 0; s < steps; s++) {
      // a step takes a fraction of a second: between steps, signal handlers (Ctrl-C) get to run. Nothing of
      // a half-trained feature net is worth keeping: a stop starts the selection over next time
      await nextTurn();
      if (hooks.shouldStop?.()) throw new Stopped('stopped while choosing labels; nothing was saved yet');
      trainer.step();
      hooks.onStep?.(s + 1, steps);
    }
    return embedWith(trainer, x, shape);
  } finally {
    trainer.dispose();
  }
}

/** A trainer of the photo discriminator under a label-free objective, on the pooled images. */
function featureTrainer(
  learner: FeatureLearner,
  x: Float32Array,
  shape: number[],
  n: number,
  batchSize: number,
  seed: number,
): Trainer {
  const preset = photoPreset();
  const objective = learner === 'gan' ? minimax() : contrastive();
  const rng = new Rng(seed * 7919 + 29);
  // a GAN discriminator has one real/fake output; SimCLR's projection head is the output layer
  const outputs = learner === 'gan' ? 1 : objective.numLogits(1);
  const net = preset.makeDiscriminator(objective, outputs, shape, rng);
  const g = learner === 'gan' ? preset.makeGenerator(shape, rng) : undefined;
  const ids = Array.from({ length: n }, (_, i) => `${i}`);
  // The trainer draws a labeled batch every step; neither loss reads it. It gets a few pool images with the
  // constant label 0 (no label is read to make it) so its batch-norm part stays small.
  const few = Int32Array.from({ length: Math.min(8, n) }, (_, i) => i);
  const placeholder = { x: takeRows(x, featureSize(shape), few), y: new Int32Array(few.length), ids: [] };
  const side = shape[0];
  return new Trainer(
    objective,
    net,
    g,
    { featureShape: shape, numClasses: outputs, labeled: placeholder, unlabeled: { x, ids } },
    {
      ...preset.train,
      ...(learner === 'gan'
        ? { beta1: 0.5 }
        : // SimCLR's views differ by crop and colour: shifts of an eighth of the side, ±20% scale, flips
          { augment: { flip: true, translate: Math.max(1, Math.round(side / 8)), scale: 0.2 } }),
      batchSize,
      labeledBatchSize: few.length,
      seed,
    },
  );
}

/** Unit-length features of every row, in chunks so the activations of one chunk bound the memory. */
function embedWith(trainer: Trainer, x: Float32Array, shape: number[]): { z: Float64Array; dim: number } {
  const rowSize = featureSize(shape);
  const n = x.length / rowSize;
  const chunk = Math.max(1, Math.min(512, Math.floor(4_000_000 / rowSize)));
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const f = tf.tidy(() => {
      const xb = tf.tensor(x.subarray(start * rowSize, (start + m) * rowSize), [m, ...shape]);
      const feats = trainer.discriminator.forward(xb).features;
      return tf.div(feats, tf.add(tf.norm(feats, 2, 1, true), 1e-8));
    });
    dim = f.shape[1]!;
    parts.push(f.dataSync() as Float32Array);
    f.dispose();
  }
  const z = new Float64Array(n * dim);
  parts.forEach((p, i) => z.set(p, i * chunk * dim));
  return { z, dim };
}
