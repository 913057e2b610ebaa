import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { foreignEntries, removeIfEmpty, writeFileAtomic } from '../util/fs.js';
import { CHECKPOINT_FILE } from '../train/run-config.js';
import type { ModelJson } from '../export/format.js';
import { STORY_SIGNATURE } from '../report/story-html.js';

/** What an output folder already holds, told by the files each command writes (null: none of them). */
export type OutputKind = 'demo' | 'compare' | 'run' | 'export';

const HOLDS: Record<OutputKind, string> = {
  demo: "a semigan demo's pictures and story.html",
  compare: "a semigan compare's runs and result.json",
  run: 'a training run (checkpoint.bin)',
  export: 'an exported model (model.json)',
};

/**
 * A hidden file naming the command whose output the folder is, written before its first output file: an
 * interrupted demo or compare is still recognised as one, and a user's own file of the same name never is.
 */
const MARKER = '.semigan-output';
const KINDS: readonly OutputKind[] = ['demo', 'compare', 'run', 'export'];

/**
 * Marks `dir` (made if missing) as `kind`'s output. The function it returns takes the mark back when the
 * command fails before writing anything, and the folder too if this call made it.
 */
export function markOutput(dir: string, kind: Exclude<OutputKind, 'run'>): () => void {
  const made = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, MARKER), `${kind}\n`);
  return () => {
    if (readdirSync(dir).some((f) => f !== MARKER)) return;
    rmSync(join(dir, MARKER), { force: true });
    if (made) removeIfEmpty(dir);
  };
}

export function outputKind(dir: string): OutputKind | null {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
  if (existsSync(join(dir, CHECKPOINT_FILE))) return 'run';
  const marked = readIfFile(join(dir, MARKER))?.trim();
  if (KINDS.includes(marked as OutputKind)) return marked as OutputKind;
  // output written before the marker: told by content, so a user's own model.json or story.html is not ours
  if (isSemiganExport(readIfFile(join(dir, 'model.json')))) return 'export';
  if (readIfFile(join(dir, 'story.html'))?.includes(STORY_SIGNATURE)) return 'demo';
  const has = (f: string) => existsSync(join(dir, f));
  // runs/ alone could be a user's own folder of train runs; compare also keeps its labeled sets or result
  if (has('runs') && (has('labels') || has('result.json') || has('report.html'))) return 'compare';
  return null;
}

function readIfFile(path: string): string | undefined {
  return existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
}

function isSemiganExport(json: string | undefined): boolean {
  try {
    return (
      json !== undefined && Boolean((JSON.parse(json) as ModelJson | null)?.userDefinedMetadata?.semigan)
    );
  } catch {
    return false;
  }
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
 * Refuses an --out holding another command's output (refuseOtherOutput) or files the command did not write there
 * (a user's own result.json or pictures would be replaced, or mixed with the output): it takes a new or empty
 * folder, or its own earlier output. Hidden files and the command's own inputs (`inputs`: a --config file) may
 * sit there. Returns what the folder holds (own kind or null).
 */
export function refuseUserFiles(
  dir: string,
  command: string,
  own: Exclude<OutputKind, 'run'>,
  inputs: string[] = [],
): OutputKind | null {
  const kind = refuseOtherOutput(dir, command, own);
  // only in the command's own earlier output do its file names mean its files
  const named = foreignEntries(dir, kind === own ? WRITES[own] : () => false, inputs);
  // a config file kept beside the output it made is its input again once named
  const hint = /\.json\b/.test(named ?? '') ? ' (a config file may stay there when given as --config)' : '';
  if (named)
    throw new UsageError(
      `${dir} holds files ${command} did not write (${named}): give --out a new or empty directory${hint}`,
    );
  return kind;
}

/** Removes the files of `kind`'s earlier output from `dir` (a demo replaced by one of other methods). */
export function clearOwnFiles(dir: string, kind: 'demo'): void {
  for (const f of readdirSync(dir)) if (WRITES[kind](f)) rmSync(join(dir, f), { force: true });
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
  if (refuseUserFiles(dir, 'demo', 'demo', inputs) !== 'demo') return null;
  try {
    const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as {
      dataset?: string;
      seed?: number;
    };
    if (r.dataset !== undefined && r.seed !== undefined)
      return `replacing the earlier demo in ${dir} (${r.dataset}, seed ${r.seed}); give --out another folder to keep both`;
  } catch {
    // no result.json: the earlier demo stopped before its end
  }
  return `replacing the earlier (unfinished) demo in ${dir}`;
}
