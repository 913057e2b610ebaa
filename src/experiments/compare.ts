import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { formatLabelsCsv, type LabeledExample } from '../data/labels-csv.js';
import { selectLabels, type SelectStrategy } from '../data/select-labels.js';
import { describeDataSpec, loadData, parseDataSpec, type LoadHooks } from '../data/spec.js';
import { idsOf } from '../data/split.js';
import { sha256 } from '../util/sha256.js';
import { UsageError } from '../errors.js';
import type { MethodName } from '../train/methods.js';
import { CHECKPOINT_FILE, readMetrics, runTraining, type RunHooks } from '../train/run.js';
import { compareReportHtml } from '../report/compare-report.js';
import { ensureWritableDir, writeFileAtomic } from '../util/fs.js';
import type { CompareResult, CompareRun } from './compare-types.js';

export type { CompareResult, CompareRun } from './compare-types.js';

export interface CompareOptions {
  data: string;
  /** Labeled examples in total (e.g. 100). */
  labels: number;
  select: SelectStrategy[];
  methods: MethodName[];
  seeds: number[];
  epochs: number;
  /** Labeled validation examples per class, held out for the supervised baseline's early stopping. */
  validationPerClass: number;
  out: string;
  /**
   * Runs finished elsewhere whose directories may be gone (a benchmark's committed results): reused instead of
   * re-run when their labeled subset is exactly the one selected now and they trained as many epochs.
   */
  finished?: CompareRun[];
}

export interface CompareHooks extends RunHooks, LoadHooks {
  onRunStart?(run: {
    select: SelectStrategy;
    method: MethodName;
    seed: number;
    index: number;
    total: number;
  }): void;
  onRunDone?(run: CompareRun): void;
}

export const runDirName = (select: string, method: string, seed: number) => `${select}-${method}-seed${seed}`;

/**
 * The seed's experiment in one call: for each seed and label-selection strategy, one labeled set, then every
 * method trained on exactly that set (same unlabeled pool, same validation split). Runs live in
 * OUT/runs/<select>-<method>-seed<s>/ and resume from their checkpoints; finished ones are not re-run, so
 * calling it again only aggregates.
 */
export async function runCompare(o: CompareOptions, hooks: CompareHooks = {}): Promise<CompareResult> {
  const spec = parseDataSpec(o.data);
  ensureWritableDir(o.out);
  mkdirSync(join(o.out, 'labels'), { recursive: true });
  const labeledSets: Record<string, LabeledExample[]> = {};
  const runs: CompareRun[] = [];
  const total = o.seeds.length * o.select.length * o.methods.length;
  let index = 0;
  let firstTrain: Dataset | undefined;
  for (const seed of o.seeds) {
    // toy data are drawn from the seed, so selection sees exactly the pool that training will; files are
    // the same for every seed and are read once
    const train =
      spec.kind !== 'toy' && firstTrain ? firstTrain : (await loadData(spec, seed, undefined, hooks)).train;
    const k = train.classNames.length;
    if (o.labels < k) throw new UsageError(`--labels ${o.labels} is fewer than the ${k} classes`);
    const ids = idsOf(train);
    firstTrain ??= train;
    for (const select of o.select) {
      // the person labels what the strategy picked: only these labels enter training
      const rows = selectLabels(train, o.labels, select, seed);
      const examples = rows.map((r) => ({ id: ids[r], label: train.classNames[train.y[r]] }));
      labeledSets[`${select}-seed${seed}`] = examples;
      writeFileAtomic(join(o.out, 'labels', `${select}-seed${seed}.csv`), formatLabelsCsv(examples));
      for (const method of o.methods) {
        hooks.onRunStart?.({ select, method, seed, index: index++, total });
        const dir = join(o.out, 'runs', runDirName(select, method, seed));
        let metrics = readMetrics(dir);
        const known = !metrics && reusable(o, { select, method, seed }, examples);
        if (known) {
          runs.push(known);
          hooks.onRunDone?.(known);
          continue;
        }
        if (!metrics?.complete) {
          const resume = existsSync(join(dir, CHECKPOINT_FILE));
          metrics = await runTraining(
            {
              data: describeDataSpec(spec),
              method,
              labelsPerClass: Math.max(1, Math.floor(o.labels / train.classNames.length)),
              labeledExamples: examples,
              validationPerClass: o.validationPerClass,
              selectBest: method === 'supervised',
              seed,
              epochs: o.epochs,
              checkpointEverySteps: 500,
            },
            dir,
            hooks,
            resume,
          );
          if (!metrics.complete) throw new UsageError(`stopped; run the same command again to continue`);
        }
        const run: CompareRun = {
          select,
          method,
          seed,
          testAccuracy: metrics.testAccuracy ?? metrics.epochs.at(-1)?.testAccuracy ?? 0,
          ...(metrics.selectedEpoch !== undefined ? { selectedEpoch: metrics.selectedEpoch } : {}),
          epochs: metrics.epochs.length,
          dir: join('runs', runDirName(select, method, seed)),
          labeledSubset: metrics.labeledSubset,
        };
        runs.push(run);
        hooks.onRunDone?.(run);
      }
    }
  }
  const result: CompareResult = {
    dataset: describeDataSpec(spec),
    labels: o.labels,
    runs,
    summary: summarise(runs),
    labeledSets,
  };
  writeFileAtomic(join(o.out, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  if (firstTrain) writeFileAtomic(join(o.out, 'report.html'), compareReportHtml(result, o.out, firstTrain));
  return result;
}

/** A finished run of the same select/method/seed, epochs and exact labeled set, if one was given. */
function reusable(
  o: CompareOptions,
  at: Pick<CompareRun, 'select' | 'method' | 'seed'>,
  examples: LabeledExample[],
): CompareRun | undefined {
  const hash = sha256(
    examples
      .map((e) => e.id)
      .sort()
      .join('\n'),
  );
  return o.finished?.find(
    (r) =>
      r.select === at.select &&
      r.method === at.method &&
      r.seed === at.seed &&
      r.epochs === o.epochs &&
      r.labeledSubset?.idsSha256 === hash &&
      r.labeledSubset.count === examples.length,
  );
}

export function summarise(runs: CompareRun[]): CompareResult['summary'] {
  const out: CompareResult['summary'] = {};
  for (const r of runs) {
    out[r.select] ??= {};
    const accs = runs
      .filter((x) => x.select === r.select && x.method === r.method)
      .map((x) => x.testAccuracy);
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / accs.length);
    out[r.select][r.method] = {
      meanTestAccuracy: Number(mean.toFixed(4)),
      stdTestAccuracy: Number(std.toFixed(4)),
      seeds: accs.length,
    };
  }
  return out;
}

/** The stdout table: one row per strategy, one column per method, mean ± std test accuracy in %. */
export function formatCompareTable(r: CompareResult): string {
  const methods = [...new Set(r.runs.map((x) => x.method))];
  const rows = Object.entries(r.summary).map(([select, byMethod]) => [
    select,
    ...methods.map((m) =>
      byMethod[m]
        ? `${(byMethod[m].meanTestAccuracy * 100).toFixed(1)} ± ${(byMethod[m].stdTestAccuracy * 100).toFixed(1)}`
        : '',
    ),
  ]);
  const head = ['labels', ...methods];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [
    `${r.dataset}, ${r.labels} labels: test accuracy % (mean ± std over seeds)`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}
