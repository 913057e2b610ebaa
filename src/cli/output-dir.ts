import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { foreignEntries } from '../util/fs.js';
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

/** The names each command writes at the top of its --out (train's are checked by its own run-dir rules). */
const WRITES: Record<Exclude<OutputKind, 'run'>, (name: string) => boolean> = {
  demo: (f) => /^((labels|points)\.png|(boundary|realfake)-[\w+-]+\.png|result\.json|story\.html)$/.test(f),
  compare: (f) => ['runs', 'labels', 'result.json', 'report.html'].includes(f),
  export: (f) => f === 'model.json' || f === 'weights.bin',
};

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

/**
 * Refuses an --out holding files the command did not write there (a user's own result.json or pictures would be
 * replaced, or mixed with the output): it takes a new or empty folder, or its own earlier output. Hidden files
 * and the command's own inputs (`inputs`: a --config file) may sit there.
 */
export function refuseUserFiles(
  dir: string,
  command: string,
  own: Exclude<OutputKind, 'run'>,
  inputs: string[] = [],
): void {
  const named = foreignEntries(dir, WRITES[own], inputs);
  if (named)
    throw new UsageError(
      `${dir} holds files ${command} did not write (${named}): give --out a new or empty directory`,
    );
}

/** The files a command's flags name as its inputs (a --config file), which may sit in its --out. */
export function inputFiles(o: { config?: unknown }): string[] {
  return typeof o.config === 'string' ? [o.config] : [];
}

/** A file --out (labels CSV, predictions): never a folder, and an existing file only with --force. */
export function refuseOutFile(path: string, force: boolean): void {
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(`${path} is a folder: give --out a file name`);
  if (existsSync(path) && !force) throw new UsageError(`${path} exists (use --force to overwrite)`);
}

/**
 * The demo is cheap to recompute, so it replaces its own earlier output, but says so first, naming what the
 * earlier one was; another command's output, or files it did not write, it refuses.
 */
export function demoReplacing(dir: string, inputs: string[] = []): string | null {
  const kind = refuseOtherOutput(dir, 'demo', 'demo');
  refuseUserFiles(dir, 'demo', 'demo', inputs);
  if (kind !== 'demo') return null;
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
