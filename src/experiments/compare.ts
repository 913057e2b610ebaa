import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { exampleCount } from '../data/dataset.js';
import type { LabeledExample } from '../data/labels-csv.js';
import type { SelectStrategy } from '../data/select-labels.js';
import { describeDataSpec, loadData, parseDataSpec, type DataSpec, type LoadHooks } from '../data/spec.js';
import { Stopped, UsageError } from '../errors.js';
import { GAN_WEIGHTED_METHODS, PSEUDO_LABEL_METHODS, type MethodName } from '../train/methods.js';
import type { Augmentation } from '../train/augment.js';
import { readCheckpointFile } from '../train/checkpoint-file.js';
import { CHECKPOINT_FILE, readMetrics, runTraining, type RunHooks, type RunMetrics } from '../train/run.js';
import { runSettings, whyNotSameRun } from '../train/run-settings.js';
import { validateRunConfig } from '../train/validate-run-config.js';
import { compareReportHtml } from '../report/compare-report.js';
import { ensureWritableDir, moveAside, writeFileAtomic } from '../util/fs.js';
import { compareRunConfig, trainingOverrides, type RunAt } from './compare-config.js';
import { summarise } from './compare-summary.js';
import { selectOrReuse, type Selection } from './compare-selection.js';
import type { CompareResult, CompareRun } from './compare-types.js';

export type { CompareResult, CompareRun, SummaryCell } from './compare-types.js';
export { formatCompareTable, labeledSetConflicts, mergeRuns, summarise } from './compare-summary.js';

export interface CompareOptions {
  data: string;
  /** Labeled examples in total (e.g. 100). */
  labels: number;
  select: SelectStrategy[];
  methods: MethodName[];
  seeds: number[];
  epochs: number;
  /**
   * Labeled validation examples per class, held out of every run; with them the supervised baseline reports
   * its best-validation epoch. 0: no label beyond the labeled set, every method reports its last epoch.
   */
  validationPerClass: number;
  out: string;
  /**
   * Runs finished elsewhere whose directories may be gone (a benchmark's committed results): reused instead of
   * re-run only when their settings and code signature are exactly those of the run asked for now.
   */
  finished?: CompareRun[];
  /** Replaces the preset's augmentation of real images, for every method alike (e.g. the strong policy). */
  augment?: Augmentation;
  /** FixMatch's confidence threshold, for the methods whose default includes its term (default 0.95). */
  pseudoThreshold?: number;
  /**
   * Weight of D's real/fake loss (default 1): one weight for every GAN method compared, or a weight per method
   * (a data's defaults set the weights of the methods they name).
   */
  ganWeight?: number | Partial<Record<MethodName, number>>;
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
  /** Each step of the feature net a representative selection trains first (colour photos). */
  onSelectionStep?(step: number, total: number): void;
  /** One line on a decision the user should know of, e.g. why a finished run is trained again. */
  onNote?(line: string): void;
}

/** Every run loads the data again; what its loading warns of (a dropped file) is said once per grid. */
export function once(say?: (line: string) => void): ((line: string) => void) | undefined {
  const said = new Set<string>();
  if (!say) return undefined;
  return (line) => {
    if (said.has(line)) return;
    said.add(line);
    say(line);
  };
}

export const runDirName = (select: string, method: string, seed: number) => `${select}-${method}-seed${seed}`;

/**
 * The seed's experiment in one call: for each seed and label-selection strategy, one labeled set, then every
 * method trained on exactly that set (same unlabeled pool, same validation split). Runs live in
 * OUT/runs/<select>-<method>-seed<s>/ and resume from their checkpoints; finished ones with the same settings
 * are not re-run, so calling it again only aggregates.
 */
export async function runCompare(o: CompareOptions, given: CompareHooks = {}): Promise<CompareResult> {
  const hooks = { ...given, onWarning: once(given.onWarning) };
  const spec = parseDataSpec(o.data);
  checkOptions(o);
  ensureWritableDir(o.out);
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
    checkBudget(train, o);
    firstTrain ??= train;
    for (const select of o.select) {
      const selection = await selectOrReuse(train, o.labels, select, seed, o.out, hooks);
      labeledSets[`${select}-seed${seed}`] = selection.examples;
      for (const method of o.methods) {
        hooks.onRunStart?.({ select, method, seed, index: index++, total });
        const run = await compareRun(o, spec, train, { select, method, seed }, selection, hooks);
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

/** Too many labels for the pool is one line naming the flag to lower, before any selection or training. */
function checkBudget(train: Dataset, o: CompareOptions): void {
  const k = train.classNames.length;
  const n = exampleCount(train);
  if (o.labels < k) throw new UsageError(`--labels ${o.labels} is fewer than the ${k} classes`);
  if (o.labels + o.validationPerClass * k > n) {
    throw new UsageError(
      `${o.labels} labeled${o.validationPerClass ? ` + ${o.validationPerClass * k} validation` : ''} examples need more than the ${n} training examples: ` +
        `lower ${o.validationPerClass ? '--validation or ' : ''}--labels`,
    );
  }
}

/** One cell of the grid: reused when provably the same run, else trained (or resumed) in its directory. */
async function compareRun(
  o: CompareOptions,
  spec: DataSpec,
  train: Dataset,
  at: RunAt,
  selection: Selection,
  hooks: CompareHooks,
): Promise<CompareRun> {
  const perClass = Math.max(1, Math.floor(o.labels / train.classNames.length));
  const config = compareRunConfig(o, describeDataSpec(spec), at, selection.examples, perClass);
  const settings = runSettings(config);
  const name = runDirName(at.select, at.method, at.seed);
  const dir = join(o.out, 'runs', name);
  let metrics = onDisk(dir);
  const stale =
    metrics &&
    // the nets it trained are the ones it recorded: a default that changed since must not pass as its own
    whyNotSameRun(
      { settings: { ...runSettings(metrics.config), preset: metrics.preset }, code: metrics.code },
      settings,
    );
  if (stale) {
    const aside = moveAside(dir);
    hooks.onNote?.(`runs/${name} is not this run (${stale}): moved to ${aside}; training it again`);
    metrics = null;
  }
  if (!metrics) {
    const known = finishedRun(o.finished, at, settings, hooks);
    if (known) return known;
  }
  if (metrics?.complete) hooks.onNote?.(`runs/${name} finished earlier: its figures are used as they are`);
  else {
    // no checkpoint: whatever the directory holds (figures of a run whose checkpoint is gone) starts over
    const start = existsSync(join(dir, CHECKPOINT_FILE)) ? 'resume' : 'replace';
    if (start === 'resume') hooks.onNote?.(`runs/${name}: resuming from its checkpoint`);
    metrics = await runTraining(config, dir, hooks, start);
    if (!metrics.complete) throw new Stopped('stopped after a checkpoint');
  }
  const m = metrics;
  return {
    ...at,
    testAccuracy: m.testAccuracy ?? m.epochs.at(-1)?.testAccuracy ?? 0,
    ...(m.selectedEpoch !== undefined ? { selectedEpoch: m.selectedEpoch } : {}),
    epochs: m.epochs.length,
    dir: join('runs', name),
    labeledSubset: m.labeledSubset,
    // validation labels the run read, beyond the labeled set the selection already paid for
    labelsRead:
      selection.labelsRead + (m.labeledSubset.labelsRead ?? m.labeledSubset.count) - m.labeledSubset.count,
    settings,
    code: m.code ?? [],
    rollbacks: m.rollbacks ?? [],
    curve: m.epochs.map((e) => e.testAccuracy),
    wallSeconds: Number(m.epochs.reduce((sum, e) => sum + e.seconds, 0).toFixed(1)),
  };
}

/** Refuses, before any run, what no run of the grid could train with: one line, as `train` would say it. */
function checkOptions(o: CompareOptions): void {
  if (o.pseudoThreshold !== undefined && !o.methods.some((m) => PSEUDO_LABEL_METHODS.includes(m)))
    throw new UsageError(
      `--pseudo-threshold applies to methods with FixMatch's term (${PSEUDO_LABEL_METHODS.join(', ')}), and none is compared`,
    );
  if (typeof o.ganWeight === 'number' && !o.methods.some((m) => GAN_WEIGHTED_METHODS.includes(m)))
    throw new UsageError(
      `--gan-weight applies to GAN methods (${GAN_WEIGHTED_METHODS.join(', ')}), and none is compared`,
    );
  for (const method of o.methods)
    validateRunConfig({
      data: o.data,
      method,
      labelsPerClass: 1,
      seed: 1,
      epochs: o.epochs,
      checkpointEverySteps: 500,
      ...trainingOverrides(o, method),
    });
}

/** A run directory's metrics, or its checkpoint's before the first epoch ended; null when it has neither. */
function onDisk(dir: string): RunMetrics | null {
  const m = readMetrics(dir);
  if (m) return m;
  const ck = join(dir, CHECKPOINT_FILE);
  return existsSync(ck) ? readCheckpointFile<{ metrics: RunMetrics }>(ck).meta.metrics : null;
}

/** A finished run handed in with the same strategy, method and seed, if provably the same run; else one line why not. */
function finishedRun(
  finished: CompareRun[] | undefined,
  at: RunAt,
  settings: CompareRun['settings'],
  hooks: CompareHooks,
): CompareRun | undefined {
  const candidates = (finished ?? []).filter(
    (r) => r.select === at.select && r.method === at.method && r.seed === at.seed,
  );
  let why: string | undefined;
  for (const r of candidates) {
    why = whyNotSameRun(r, settings);
    if (!why) return r;
  }
  if (why)
    hooks.onNote?.(
      `not reusing the finished ${at.select}/${at.method}/seed ${at.seed}: ${why}; training it again`,
    );
  return undefined;
}
