import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { CHECKPOINT_FILE } from '../train/run-config.js';

/** What an output folder already holds, told by the files each command writes (null: none of them). */
export type OutputKind = 'demo' | 'compare' | 'run' | 'export';

const HOLDS: Record<OutputKind, string> = {
  demo: "a semigan demo's pictures and story.html",
  compare: "a semigan compare's runs and result.json",
  run: 'a training run (checkpoint.bin)',
  export: 'an exported model (model.json)',
};

export function outputKind(dir: string): OutputKind | null {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
  if (existsSync(join(dir, CHECKPOINT_FILE))) return 'run';
  if (existsSync(join(dir, 'model.json'))) return 'export';
  if (existsSync(join(dir, 'story.html'))) return 'demo';
  const has = (f: string) => existsSync(join(dir, f));
  // runs/ alone could be a user's own folder of train runs; compare also keeps its labeled sets or result
  if (has('runs') && (has('labels') || has('result.json') || has('report.html'))) return 'compare';
  return null;
}

/**
 * Refuses an --out that holds another command's output: writing there would replace files of the same name
 * (result.json, report.html) or leave a folder that reads as two things. Returns what it holds (own kind or null).
 */
export function refuseOtherOutput(dir: string, command: string, own: OutputKind): OutputKind | null {
  const kind = outputKind(dir);
  if (kind && kind !== own)
    throw new UsageError(`${dir} holds ${HOLDS[kind]}: give ${command} another --out`);
  return kind;
}

/** A file --out (labels CSV, predictions): never a folder, and an existing file only with --force. */
export function refuseOutFile(path: string, force: boolean): void {
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(`${path} is a folder: give --out a file name`);
  if (existsSync(path) && !force) throw new UsageError(`${path} exists (use --force to overwrite)`);
}

/**
 * The demo is cheap to recompute, so it replaces its own earlier output, but says so first, naming what the
 * earlier one was; another command's output it refuses.
 */
export function demoReplacing(dir: string): string | null {
  if (refuseOtherOutput(dir, 'demo', 'demo') !== 'demo') return null;
  try {
    const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as {
      dataset?: string;
      seed?: number;
    };
    return `replacing the earlier demo in ${dir} (${r.dataset}, seed ${r.seed}); give --out another folder to keep both`;
  } catch {
    return `replacing the earlier (unfinished) demo in ${dir}`;
  }
}
