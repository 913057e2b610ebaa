import * as tf from '@tensorflow/tfjs';
import { photoPreset } from '../experiments/presets.js';
import { minimax } from '../objectives/minimax.js';
import { Rng } from '../random.js';
import { Trainer } from '../train/trainer.js';
import { exampleCount, featureSize, takeRows } from './dataset.js';
import { averagePoolImages } from './pixel-embedding.js';
import type { LabelFreePool } from './select-labels.js';

/** How much a label-free feature net trains: a fixed budget, so a selection takes a known time. */
export interface FeatureBudget {
  /** GAN steps (one discriminator and one generator update each). */
  steps: number;
  /** Images are average-pooled to at most this side first: a quarter of the pixels per halving. */
  maxSide: number;
  batchSize: number;
  /** At most this many passes over the pool: a small pool needs far fewer steps than a large one. */
  maxEpochs: number;
}

/** 3–4.5 minutes on 12 000 photos at 64 px on 2 shared cores (bench/results/select-labels-photos.json). */
export const DEFAULT_FEATURE_BUDGET: FeatureBudget = {
  steps: 150,
  maxSide: 32,
  batchSize: 64,
  maxEpochs: 3,
};

/**
 * Features learnt from the unlabeled images alone: the photo preset's discriminator trained as a plain GAN
 * (Goodfellow's minimax: real vs generated, no class, no label) for a fixed number of steps, then every
 * image embedded by its global-max-pooled features in evaluation mode (running batch-norm averages), each
 * vector scaled to unit length so distances compare directions, as in TypiClust's self-supervised features.
 * A discriminator has to tell photos from a generator's attempts, so its features come to describe what
 * photos are made of (shapes, textures) rather than the raw colour and layout that pixel PCA groups by.
 * Seeded and deterministic on one backend.
 */
export function learnedFeatures(
  d: LabelFreePool,
  seed: number,
  budget: FeatureBudget = DEFAULT_FEATURE_BUDGET,
  onStep?: (step: number, total: number) => void,
): { z: Float64Array; dim: number } {
  const { x, shape } = averagePoolImages(d.x, d.featureShape, budget.maxSide);
  const n = exampleCount(d);
  const preset = photoPreset();
  const objective = minimax();
  const rng = new Rng(seed * 7919 + 29);
  const net = preset.makeDiscriminator(objective, 1, shape, rng);
  const g = preset.makeGenerator(shape, rng);
  const ids = Array.from({ length: n }, (_, i) => `${i}`);
  // The trainer draws a labeled batch every step; the GAN loss never reads it. It gets a few pool images
  // with the constant label 0 (no label is read to make it) so its batch-norm part stays small.
  const few = Int32Array.from({ length: Math.min(8, n) }, (_, i) => i);
  const placeholder = { x: takeRows(x, featureSize(shape), few), y: new Int32Array(few.length), ids: [] };
  const trainer = new Trainer(
    objective,
    net,
    g,
    { featureShape: shape, numClasses: 1, labeled: placeholder, unlabeled: { x, ids } },
    {
      ...preset.train,
      beta1: 0.5,
      batchSize: Math.min(budget.batchSize, n),
      labeledBatchSize: few.length,
      seed,
    },
  );
  try {
    const batch = Math.min(budget.batchSize, n);
    const steps = Math.min(budget.steps, Math.ceil((budget.maxEpochs * n) / batch));
    for (let s = 0; s < steps; s++) {
      trainer.step();
      onStep?.(s + 1, steps);
    }
    return embedWith(trainer, x, shape);
  } finally {
    trainer.dispose();
  }
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
