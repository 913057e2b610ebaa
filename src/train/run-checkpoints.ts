import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SemiganError } from '../errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { encodeCheckpoint, readCheckpointFile } from './checkpoint-file.js';
import { clearStreaks, looksHealthy, newCollapseState } from './collapse.js';
import { CHECKPOINT_FILE, HEALTHY_CHECKPOINT_FILE, type RunHooks } from './run-config.js';
import type { CheckpointMeta } from './run-dir.js';
import type { RunState } from './run-state.js';
import { addSelectedBlobs, selectedFromCheckpoint } from './selected-weights.js';
import { captureTrainerState, restoreTrainerState } from './trainer-state.js';

/**
 * checkpoint.bin (atomic), and checkpoint-healthy.bin as well while training looks healthy: where a rollback
 * returns to.
 */
export function saveRun(run: RunState): void {
  const { trainer, metrics, selected } = run;
  metrics.step = trainer.stepCount;
  const { meta, blobs } = captureTrainerState(trainer);
  addSelectedBlobs(selected, blobs);
  const ckMeta: CheckpointMeta = {
    version: 1,
    trainer: meta,
    metrics,
    ...(selected ? { selectedEpoch: selected.epoch } : {}),
  };
  const bytes = encodeCheckpoint(ckMeta, blobs);
  writeFileAtomic(join(run.out, CHECKPOINT_FILE), bytes);
  if (looksHealthy(metrics.monitor!, run.collapse))
    writeFileAtomic(join(run.out, HEALTHY_CHECKPOINT_FILE), bytes);
}

/**
 * After non-finite losses or a collapse at `atStep`: back to the last healthy checkpoint with halved learning
 * rates, at most config.maxRollbacks times; then the run stops with one line naming that checkpoint.
 */
export function rollBack(run: RunState, atStep: number, what: string, hooks: RunHooks): void {
  const { trainer, config, out } = run;
  const healthyPath = join(out, HEALTHY_CHECKPOINT_FILE);
  // runs checkpointed before semigan kept a healthy copy roll back to their last checkpoint
  const target = existsSync(healthyPath) ? healthyPath : join(out, CHECKPOINT_FILE);
  const done = run.metrics.rollbacks?.length ?? 0;
  const allowed = config.maxRollbacks ?? 3;
  if (done >= allowed) {
    throw new SemiganError(
      `training diverged at step ${atStep} (${what}) after ${done} rollback${done === 1 ? '' : 's'} with lowered learning rates; ` +
        `try a smaller --lr; the last good checkpoint is ${target}`,
    );
  }
  const rollbacks = run.metrics.rollbacks ?? [];
  const ck = readCheckpointFile<CheckpointMeta>(target);
  restoreTrainerState(trainer, ck.meta.trainer, ck.blobs);
  run.metrics = { ...ck.meta.metrics, config, backend: tf.getBackend() };
  run.selected = selectedFromCheckpoint(ck.meta.selectedEpoch, ck.blobs);
  // the target was saved after any earlier rollback, with that rollback's rate: halve once more
  for (const opt of [trainer.optD, trainer.optG]) if (opt) opt.learningRate *= 0.5;
  const r = { atStep, toStep: trainer.stepCount, learningRate: trainer.optD.learningRate, reason: what };
  run.metrics.monitor = clearStreaks(run.metrics.monitor ?? newCollapseState());
  run.metrics.rollbacks = [...rollbacks, r];
  // the run's own checkpoint still holds the failed networks: a stop now must resume from the rollback
  saveRun(run);
  hooks.onRollback?.(r);
}
