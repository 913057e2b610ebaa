/** The workloads bench/speed times, built on synthetic data of the real shapes (speed does not depend on it). */
import * as tf from '@tensorflow/tfjs';
import {
  imagePreset,
  MNIST_PRESET,
  photoPreset,
  TOY_PRESET,
  type Preset,
} from '../src/experiments/presets.js';
import { makeObjective, type MethodName } from '../src/train/methods.js';
import { Trainer, type TrainData } from '../src/train/trainer.js';
import { Rng } from '../src/random.js';

export interface Workload {
  name: string;
  preset: Preset;
  featureShape: number[];
  numClasses: number;
  batch: number;
}

export const WORKLOADS: Workload[] = [
  { name: 'rings-mlp', preset: TOY_PRESET, featureShape: [2], numClasses: 2, batch: 100 },
  { name: 'mnist-mlp', preset: MNIST_PRESET, featureShape: [28, 28], numClasses: 10, batch: 100 },
  { name: 'dcgan-resnet-64', preset: imagePreset(), featureShape: [64, 64, 3], numClasses: 2, batch: 64 },
  { name: 'photo-cnn-64', preset: photoPreset(), featureShape: [64, 64, 3], numClasses: 2, batch: 64 },
];

function syntheticData(w: Workload, rng: Rng): TrainData {
  const size = w.featureShape.reduce((a, b) => a * b, 1);
  const nl = 10 * w.numClasses;
  const nu = size > 10000 ? 300 : 2000;
  const ids = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
  return {
    featureShape: w.featureShape,
    numClasses: w.numClasses,
    labeled: {
      x: rng.fillUniform(new Float32Array(nl * size)),
      y: Int32Array.from({ length: nl }, (_, i) => i % w.numClasses),
      ids: ids(nl, 'l'),
    },
    unlabeled: { x: rng.fillUniform(new Float32Array(nu * size)), ids: ids(nu, 'u') },
  };
}

/** A klogit-fm trainer (D on labeled ‖ unlabeled ‖ fake, then G through D), as every SSL-GAN step runs. */
export function makeWorkloadTrainer(w: Workload, seed = 1, method: MethodName = 'klogit-fm'): Trainer {
  const rng = new Rng(seed);
  const data = syntheticData(w, rng);
  const objective = makeObjective(method, {
    unlabeledX: data.unlabeled.x,
    featureShape: w.featureShape,
  });
  const d = w.preset.makeDiscriminator(objective, w.numClasses, w.featureShape, rng);
  const g = objective.usesGenerator ? w.preset.makeGenerator(w.featureShape, rng) : undefined;
  return new Trainer(objective, d, g, data, {
    ...w.preset.train,
    batchSize: w.batch,
    labeledBatchSize: w.batch,
    seed,
  });
}

/**
 * Milliseconds per training step after warm-up: at least `warmup` steps and at least `warmupMs` (JavaScript
 * reaches its optimised code only after some hundreds of small steps; the peer warms up by the same rule).
 * Each step reads its losses so no work is deferred.
 */
export function timeSteps(trainer: Trainer, warmup: number, reps: number, warmupMs = 1000): number[] {
  const start = performance.now();
  for (let i = 0; i < warmup || performance.now() - start < warmupMs; i++) {
    trainer.step();
    trainer.readLosses();
  }
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    trainer.step();
    trainer.readLosses();
    times.push(performance.now() - t0);
  }
  return times;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export { tf };
