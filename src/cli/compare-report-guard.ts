import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDataSpec, type DataSpec } from '../data/spec.js';
import { UsageError } from '../errors.js';
import type { CompareOptions, CompareRun } from '../experiments/compare.js';

/** What a compare call covers: its report is of these cells only. */
export type CompareGrid = Pick<CompareOptions, 'data' | 'labels' | 'select' | 'methods' | 'seeds'>;

/** One thing an earlier report covers and this call does not, with the flag that keeps it. */
interface Dropped {
  what: string;
  keep: string;
}

/**
 * A compare into a folder whose report covers cells this call leaves out (a method, a seed, other data) would
 * replace that report with a narrower one: refused without --force, naming the flag that keeps each. A wider
 * call (one more method or seed) loses nothing. The runs stay either way.
 */
export function refuseNarrowerReport(dir: string, grid: CompareGrid, force: boolean): void {
  if (force) return;
  const old = readReport(dir);
  if (!old) return;
  const dropped = droppedCells(old, grid);
  if (!dropped.length) return;
  throw new UsageError(
    `${dir}'s report covers ${dropped.map((d) => d.what).join('; ')}, which this call leaves out: ` +
      `${dropped.map((d) => d.keep).join(', ')}, give another --out, ` +
      'or --force to replace the report (the finished runs stay in its runs/)',
  );
}

type Report = Partial<Pick<CompareOptions, 'labels'>> & {
  dataset?: string;
  runs: Pick<CompareRun, 'select' | 'method' | 'seed'>[];
};

/** The earlier report's cells; null when there is none, or it is not a compare's (nothing of ours to lose). */
function readReport(dir: string): Report | null {
  try {
    const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Partial<Report> | null;
    if (!r || !Array.isArray(r.runs) || !r.runs.every((x) => x && typeof x === 'object')) return null;
    return r as Report;
  } catch {
    return null;
  }
}

function droppedCells(old: Report, grid: CompareGrid): Dropped[] {
  const left = <K extends 'select' | 'method' | 'seed'>(key: K, wanted: readonly unknown[]) =>
    [...new Set(old.runs.map((r) => r[key]))].filter((v) => !wanted.includes(v));
  const plural = (word: string, vs: unknown[]) => `${word}${vs.length > 1 ? 's' : ''} ${vs.join(', ')}`;
  const [methods, selects, seeds] = [
    left('method', grid.methods),
    left('select', grid.select),
    left('seed', grid.seeds),
  ];
  const dropped: Dropped[] = [];
  if (old.dataset !== undefined && old.dataset !== grid.data) {
    // run settings record the data as typed: another spelling of the same folder would train every run again
    const respelled = sameData(old.dataset, grid.data);
    dropped.push({
      what: respelled ? `data spelled ${old.dataset}` : `data ${old.dataset}`,
      keep: `give --data ${old.dataset}${respelled ? ' as before (another spelling trains every run again)' : ''}`,
    });
  }
  if (old.labels !== undefined && old.labels !== grid.labels)
    dropped.push({ what: `--labels ${old.labels}`, keep: `give --labels ${old.labels}` });
  if (methods.length)
    dropped.push({ what: plural('method', methods), keep: `add ${methods.join(',')} to --methods` });
  if (selects.length)
    dropped.push({ what: plural('selection', selects), keep: `add ${selects.join(',')} to --select` });
  if (seeds.length)
    dropped.push({ what: plural('seed', seeds), keep: `give --seeds ${Math.max(...seeds.map(Number))}` });
  return dropped;
}

/** Two data specs naming the same data, however the folder is spelled. */
function sameData(a: string, b: string): boolean {
  const key = (s: string) => {
    try {
      const d: DataSpec = parseDataSpec(s);
      if (d.kind === 'toy') return d.name;
      if (d.kind === 'mnist') return `mnist:${resolve(d.dir)}`;
      return `images:${resolve(d.dir)}?${d.size}&${d.unlabeled ? resolve(d.unlabeled) : ''}`;
    } catch {
      return s;
    }
  };
  return key(a) === key(b);
}
