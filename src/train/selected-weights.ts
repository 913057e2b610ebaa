import { predictProbabilities } from '../eval/predict.js';
import type { SavedParam } from '../nets/params.js';
import type { EpochMetrics } from './run-config.js';
import type { Trainer } from './trainer.js';

type Blobs = Map<string, { shape: number[]; data: Float32Array }>;

/**
 * With selectBest (early stopping): the classifier of the epoch with the best validation accuracy, exactly as
 * that epoch's evaluation saw it (the weight average when the trainer keeps one). The run reports this epoch's
 * test accuracy, so its confusion matrix, weights hash, saved model and `semigan eval` must use these weights
 * too, not the final ones. Kept in every checkpoint, so a stopped or rolled-back run keeps its choice.
 */
export interface SelectedWeights {
  epoch: number;
  params: SavedParam[];
}

/** Checkpoint blobs of the selected classifier: `selected:<param name>`. */
export const SELECTED_PREFIX = 'selected:';

/** Whether epoch `m` beats every earlier epoch's validation accuracy (a tie keeps the earlier epoch). */
export function improvesValidation(earlier: EpochMetrics[], m: EpochMetrics): boolean {
  if (m.validationAccuracy === undefined) return false;
  return earlier.every((e) => (e.validationAccuracy ?? 0) < m.validationAccuracy!);
}

/** The discriminator's weights as the trainer evaluates them now. */
export function captureEvaluatedWeights(t: Trainer, epoch: number): SelectedWeights {
  const save = () => t.discriminator.params.save().map((p) => ({ ...p, data: Float32Array.from(p.data) }));
  return { epoch, params: t.average ? t.average.withAveraged(save) : save() };
}

export function addSelectedBlobs(s: SelectedWeights | undefined, blobs: Blobs): void {
  for (const p of s?.params ?? [])
    blobs.set(`${SELECTED_PREFIX}${p.name}`, { shape: p.shape, data: p.data as Float32Array });
}

/** The selected classifier a checkpoint holds, if any (checkpoints from before it was kept hold none). */
export function selectedFromCheckpoint(epoch: number | undefined, blobs: Blobs): SelectedWeights | undefined {
  if (epoch === undefined) return undefined;
  const params = [...blobs]
    .filter(([name]) => name.startsWith(SELECTED_PREFIX))
    .map(([name, b]) => ({
      name: name.slice(SELECTED_PREFIX.length),
      shape: b.shape,
      trainable: true,
      data: b.data,
    }));
  return params.length ? { epoch, params } : undefined;
}

/** Class probabilities of `x` under the given discriminator weights; the live weights are back afterwards. */
export function predictWith(
  t: Trainer,
  weights: SavedParam[],
  x: Float32Array,
): { probs: Float32Array; numClasses: number } {
  const store = t.discriminator.params;
  const live = store.save().map((p) => ({ ...p, data: Float32Array.from(p.data) }));
  store.load(weights);
  try {
    return predictProbabilities(t.discriminator, t.objective, x);
  } finally {
    store.load(live);
  }
}
