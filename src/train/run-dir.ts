import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { foreignEntries } from '../util/fs.js';
import { readCheckpointFile, type DecodedCheckpoint } from './checkpoint-file.js';
import {
  CHECKPOINT_FILE,
  HEALTHY_CHECKPOINT_FILE,
  readMetrics,
  type RunConfig,
  type RunMetrics,
} from './run-config.js';
import type { TrainerStateMeta } from './trainer-state.js';

/** What a run's checkpoint holds besides the weights. */
export interface CheckpointMeta {
  version: 1;
  trainer: TrainerStateMeta;
  metrics: RunMetrics;
  /** With selectBest: the epoch whose classifier the `selected:` blobs hold. */
  selectedEpoch?: number;
}

/**
 * A new run must not start over one that `out` already holds, finished or stopped: a forgotten `--resume`
 * would otherwise replace hours of training without a word.
 */
export function refuseExistingRun(out: string): void {
  if (!existsSync(join(out, CHECKPOINT_FILE))) {
    // a run's figures without its checkpoint (copied, or the checkpoint deleted) are still someone's results
    if (existsSync(join(out, 'metrics.json')))
      throw new UsageError(
        `${out} holds a run's metrics.json: give --out another directory, or start over there with --force (replaces it)`,
      );
    return;
  }
  let state = 'a run';
  try {
    const m = readMetrics(out);
    if (m) state = m.complete ? 'a finished run' : 'a stopped run';
  } catch {
    // an unreadable metrics.json says nothing about the run; the checkpoint is what matters
  }
  throw new UsageError(
    `${out} already holds ${state}: continue it with --resume ${out}, or start over with --force (replaces it)`,
  );
}

/** A file a training run writes in its directory. */
function isRunFile(f: string): boolean {
  return (
    f === CHECKPOINT_FILE ||
    f === HEALTHY_CHECKPOINT_FILE ||
    f === 'metrics.json' ||
    /^(samples|realfake)-\d+\.png$/.test(f)
  );
}

/** The run files in `out` that starting over replaces; nothing else in the directory is touched. */
export function removeRunFiles(out: string): void {
  for (const f of readdirSync(out)) if (isRunFile(f)) rmSync(join(out, f), { force: true });
}

/**
 * A new run gets a directory of its own: one holding other files or folders (a folder of photos, or of other
 * runs, given as --out by mistake) would have checkpoints and pictures scattered among them. The run's own
 * inputs (`inputs`: its labels CSV, its config file) may sit there; --force writes beside the rest anyway.
 */
export function refuseForeignFiles(out: string, inputs: string[] = []): void {
  const named = foreignEntries(out, isRunFile, inputs);
  if (!named) return;
  throw new UsageError(
    `${out} holds other files or folders (${named}): give --out a new or empty directory, or --force to write the run beside them`,
  );
}

/** Refuses, with one line saying what to give instead, a `--resume` directory that holds no run. */
export function requireRunDir(dir: string): void {
  const hint = 'give --resume the --out directory of an earlier semigan train';
  if (!existsSync(dir)) throw new UsageError(`cannot resume ${dir}: the directory does not exist (${hint})`);
  if (!statSync(dir).isDirectory())
    throw new UsageError(`cannot resume ${dir}: it is a file, not a run directory (${hint})`);
  if (!existsSync(join(dir, CHECKPOINT_FILE)))
    throw new UsageError(`nothing to resume in ${dir}: it has no ${CHECKPOINT_FILE}`);
}

/** The checkpoint of the run in `dir` (for `--resume DIR`). */
export function readRunCheckpoint(dir: string): DecodedCheckpoint<CheckpointMeta> {
  requireRunDir(dir);
  return readCheckpointFile<CheckpointMeta>(join(dir, CHECKPOINT_FILE));
}

/** The config stored in a run directory's checkpoint. */
export function readRunConfig(dir: string): RunConfig {
  // (a run whose config names no preset resumes with the one its checkpoint recorded: see buildRun)
  return readRunCheckpoint(dir).meta.metrics.config;
}
