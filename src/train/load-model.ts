import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { parseDataSpec, shapeOf } from '../data/spec.js';
import { SemiganError, UsageError } from '../errors.js';
import { predictProbabilities } from '../eval/predict.js';
import type { Discriminator } from '../nets/net.js';
import type { Objective } from '../objectives/objective.js';
import { Rng } from '../random.js';
import { readCheckpointFile } from './checkpoint-file.js';
import { makeObjective } from './methods.js';
import { presetByName } from '../experiments/presets.js';
import { CHECKPOINT_FILE, presetFor, type RunMetrics } from './run.js';
import { SELECTED_PREFIX } from './selected-weights.js';
import type { TrainerStateMeta } from './trainer-state.js';

export interface LoadedModel {
  metrics: RunMetrics;
  discriminator: Discriminator;
  objective: Objective;
  classNames: string[];
  featureShape: number[];
  predict(x: Float32Array): { probs: Float32Array; numClasses: number };
  dispose(): void;
}

/**
 * The classifier of a run directory, with the weights its reported figure was measured with: the selected
 * epoch's for an early-stopped run (selectBest), else the bias-corrected weight average when the run kept
 * one, else the live weights. Shapes are checked against the stored config.
 */
export function loadModel(dir: string, opts: { averaged?: boolean } = {}): LoadedModel {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(dir)) throw new UsageError(`${dir} does not exist`);
  if (existsSync(join(dir, 'model.json')))
    throw new UsageError(
      `${dir} is an exported model; this command needs the run directory it was exported from (semigan train --out)`,
    );
  if (!existsSync(path))
    throw new UsageError(`${dir} is not a semigan run directory (no ${CHECKPOINT_FILE})`);
  const ck = readCheckpointFile<{ trainer: TrainerStateMeta; metrics: RunMetrics }>(path);
  const metrics = ck.meta.metrics;
  if (!metrics?.config)
    throw new SemiganError(`checkpoint ${path} has no model description (written by another version?)`);
  // its D has one real/fake output: read as class probabilities it would print nonsense
  if (metrics.config.method === 'gan')
    throw new UsageError(
      `${dir} is a plain GAN run (--method gan): its discriminator tells real from fake and has no classes to evaluate, predict or export; train a classifier with an SSL method (e.g. --method klogit-fm)`,
    );
  // checkpoints from before the shape was recorded: derive it from the data spec
  const shape = shapeOf(parseDataSpec(metrics.config.data));
  metrics.featureShape ??= shape.featureShape;
  metrics.classNames ??= shape.classNames;
  const objective = makeObjective(metrics.config.method);
  // the nets it was trained with: a run records its preset's name (older runs: the data kind's preset)
  const preset = metrics.preset ? presetByName(metrics.preset) : presetFor(metrics.config.data);
  const d = preset.makeDiscriminator(objective, metrics.classNames.length, metrics.featureShape, new Rng(0));
  const rate = preset.train.weightAverageRate ?? 0;
  const steps = ck.meta.trainer.averageSteps;
  const debias = rate && steps ? 1 / (1 - (1 - rate) ** steps) : 1;
  try {
    d.params.load(
      d.params.names().map((name) => {
        const live = ck.blobs.get(`param:${name}`);
        if (!live) throw new Error(`it has no parameter ${name}`);
        // the selected weights are stored as evaluated: averaged and debiased already
        const selected = opts.averaged !== false ? ck.blobs.get(`${SELECTED_PREFIX}${name}`) : undefined;
        if (selected) return { name, shape: selected.shape, trainable: true, data: selected.data };
        const avg = steps && opts.averaged !== false ? ck.blobs.get(`average:${name}`) : undefined;
        const data = avg ? avg.data.map((v) => v * debias) : live.data;
        return { name, shape: live.shape, trainable: true, data };
      }),
    );
  } catch (e) {
    d.params.dispose();
    throw new SemiganError(`checkpoint ${path} does not match its model: ${(e as Error).message}`);
  }
  return {
    metrics,
    discriminator: d,
    objective,
    classNames: metrics.classNames,
    featureShape: metrics.featureShape,
    predict: (x) => predictProbabilities(d, objective, x),
    dispose: () => d.params.dispose(),
  };
}
