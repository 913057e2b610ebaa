import { existsSync, readFileSync } from 'node:fs';
import { mergeRuns, type CompareRun } from '../src/experiments/compare.js';
import { whyNotSameRun, type RunSettings } from '../src/train/run-settings.js';
import { writeFileAtomic } from '../src/util/fs.js';

export const readRuns = (path: string): CompareRun[] =>
  existsSync(path) ? ((JSON.parse(readFileSync(path, 'utf8')) as { runs?: CompareRun[] }).runs ?? []) : [];

/**
 * Re-reads a results file and merges this process's runs into it (one per strategy, method and seed; this
 * process's win), then writes it atomically: parallel bench processes add to each other's runs instead of
 * replacing them. Runs in the file that `keep` rejects (another configuration) are left out. A write by
 * another process between the read and the rename is healed by this process's next write, which re-reads.
 */
export function mergeIntoResultsFile(
  path: string,
  mine: CompareRun[],
  keep: (r: CompareRun) => boolean,
  file: (runs: CompareRun[]) => Record<string, unknown>,
): CompareRun[] {
  const runs = mergeRuns(readRuns(path).filter(keep), mine);
  writeFileAtomic(path, JSON.stringify(file(runs), null, 2) + '\n');
  return runs;
}

/**
 * The runs a summary may average: those whose settings (labeled set aside: each seed has its own) and code
 * signature are exactly what `wanted` gives for their strategy, method and seed. A file can hold others (an
 * earlier code signature, another lever): each is named in one line through `say` and left out of the figures.
 */
export function runsOfProtocol(
  runs: CompareRun[],
  wanted: (r: CompareRun) => RunSettings,
  say: (line: string) => void,
): CompareRun[] {
  return runs.filter((r) => {
    const w = wanted(r);
    const why = whyNotSameRun(r, { ...w, labeled: r.settings?.labeled ?? w.labeled });
    if (why) say(`left out of the summary: ${r.select}/${r.method}/seed ${r.seed}: ${why}`);
    return !why;
  });
}
