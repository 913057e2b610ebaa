import type { Trainer } from '../../src/core.js';
import { captureTrainerState, restoreTrainerState } from '../../src/train/trainer-state.js';

/**
 * Moves a running run onto a new labeled set: `to` (built from the new labels) takes everything `from` has
 * learned and where it stands (weights, optimizer moments, weight average, random stream, step count,
 * position in the unlabeled data) and starts a fresh pass over its own labeled set. Clicking a label thus
 * changes the data of the run, not the run.
 */
export function carryOver(from: Trainer, to: Trainer): void {
  const { meta, blobs } = captureTrainerState(from);
  const streams = { ...meta.streams, labeled: to.labeledStream.save() };
  restoreTrainerState(to, { ...meta, streams }, blobs);
}
