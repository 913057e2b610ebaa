import { gainWithSpread, percentWithSpread, rounded, seedStats } from '../util/stats.js';
import type { CompareResult, CompareRun, SummaryCell } from './compare-types.js';

/**
 * Mean, sample SD and standard error of the test accuracy per strategy and method, the labels read, and each
 * method's paired gain over the supervised baseline.
 */
export function summarise(runs: CompareRun[]): CompareResult['summary'] {
  const out: CompareResult['summary'] = {};
  for (const r of runs) {
    out[r.select] ??= {};
    const same = runs
      .filter((x) => x.select === r.select && x.method === r.method)
      .sort((a, b) => a.seed - b.seed);
    const s = seedStats(same.map((x) => x.testAccuracy));
    const gain = pairedGain(same, runs);
    out[r.select][r.method] = {
      meanTestAccuracy: Number(s.mean.toFixed(4)),
      stdTestAccuracy: rounded(s.sd, 4),
      seTestAccuracy: rounded(s.se, 4),
      seeds: s.n,
      labelsRead: same.map((x) => x.labelsRead),
      ...(gain ? { gainOverSupervised: gain } : {}),
    };
  }
  return out;
}

/** A method's runs against the supervised runs of the same strategy and seed: the paired differences' stats. */
function pairedGain(same: CompareRun[], runs: CompareRun[]): SummaryCell['gainOverSupervised'] {
  if (same[0].method === 'supervised') return undefined;
  const baseline = (r: CompareRun) =>
    runs.find((x) => x.method === 'supervised' && x.select === r.select && x.seed === r.seed);
  const diffs = same.flatMap((r) => {
    const b = baseline(r);
    return b ? [r.testAccuracy - b.testAccuracy] : [];
  });
  if (!diffs.length) return undefined;
  const s = seedStats(diffs);
  return { mean: Number(s.mean.toFixed(4)), sd: rounded(s.sd, 4), se: rounded(s.se, 4), seeds: s.n };
}

/**
 * The stdout table: one row per strategy, one column per method, mean ± sample SD (and SE) of the test accuracy in %,
 * and the labels read per seed beside the labeled count.
 */
export function formatCompareTable(r: CompareResult): string {
  const methods = [...new Set(r.runs.map((x) => x.method))];
  const rows = Object.entries(r.summary).map(([select, byMethod]) => {
    const read = [...new Set(Object.values(byMethod).flatMap((c) => c.labelsRead ?? []))];
    return [
      select,
      ...methods.map((m) =>
        byMethod[m]
          ? percentWithSpread(
              byMethod[m].meanTestAccuracy,
              byMethod[m].stdTestAccuracy,
              byMethod[m].seTestAccuracy,
            )
          : '',
      ),
      read.length ? read.join('/') : '?',
    ];
  });
  const head = ['labels', ...methods, 'labels read'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const gains = Object.entries(r.summary).flatMap(([select, byMethod]) => {
    const cells = methods.flatMap((m) => {
      const g = byMethod[m]?.gainOverSupervised;
      return g ? [`${m} ${gainWithSpread(g)}`] : [];
    });
    return cells.length ? [`  ${select}: ${cells.join(', ')}`] : [];
  });
  return [
    `${r.dataset}, ${r.labels} labels: test accuracy % (mean ± sample SD over seeds, and the mean's standard error)`,
    line(head),
    ...rows.map(line),
    ...(gains.length
      ? [
          'gain over supervised on the same labeled sets, percentage points (per-seed differences: mean ± sample SD, SE):',
          ...gains,
        ]
      : []),
  ].join('\n');
}

const runKey = (r: Pick<CompareRun, 'select' | 'method' | 'seed'>) => `${r.select}/${r.method}/${r.seed}`;

/**
 * Runs of a results file merged with runs finished since: one per strategy, method and seed, the newer one
 * winning. Several bench processes each merge theirs into what the file holds instead of replacing it.
 */
export function mergeRuns(inFile: CompareRun[], mine: CompareRun[]): CompareRun[] {
  const byKey = new Map(inFile.map((r) => [runKey(r), r]));
  for (const r of mine) byKey.set(runKey(r), r);
  return [...byKey.values()].sort(
    (a, b) => a.select.localeCompare(b.select) || a.method.localeCompare(b.method) || a.seed - b.seed,
  );
}

/**
 * Where runs of one strategy and seed did not train on the same labeled images (a representative selection
 * computed by another process on other kernels can differ): one line per strategy and seed. Every method in a
 * comparison must see the same labeled set, so results holding such runs are not one comparison.
 */
export function labeledSetConflicts(runs: CompareRun[]): string[] {
  const sets = new Map<string, Map<string, string[]>>();
  for (const r of runs) {
    const key = `${r.select}/seed ${r.seed}`;
    const bySha = sets.get(key) ?? new Map<string, string[]>();
    const sha = r.labeledSubset.idsSha256;
    bySha.set(sha, [...(bySha.get(sha) ?? []), r.method]);
    sets.set(key, bySha);
  }
  return [...sets.entries()]
    .filter(([, bySha]) => bySha.size > 1)
    .map(
      ([key, bySha]) =>
        `${key}: the methods trained on different labeled sets (${[...bySha.entries()]
          .map(([sha, methods]) => `${methods.join(', ')}: ${sha.slice(0, 8)}`)
          .join('; ')})`,
    );
}
