import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readLabelsCsv } from '../data/labels-csv.js';
import {
  describeDataSpec,
  loadData,
  parseDataSpec,
  shapeOf,
  withImageSize,
  withUnlabeled,
} from '../data/spec.js';
import { idsOf } from '../data/split.js';
import { UsageError } from '../errors.js';
import { dataDefaults, defaultGanWeight } from '../experiments/data-defaults.js';
import type { OptimizerOverrides } from '../experiments/make-trainer.js';
import {
  readRunConfig,
  refuseExistingRun,
  refuseForeignFiles,
  requireRunDir,
  settingConflict,
  validateRunConfig,
  type RunConfig,
  type RunStart,
} from '../train/run.js';
import { ensureWritableDir } from '../util/fs.js';
import {
  DEFAULT_PSEUDO_LABELS,
  METHOD_TERMS,
  PSEUDO_LABEL_METHODS,
  type MethodName,
} from '../train/methods.js';
import { labelsPerClass } from './parse.js';
import { decodeProgress } from './progress.js';
import { refuseOtherOutput } from './output-dir.js';

/** What `semigan train` will do: which settings, in which directory, starting how. */
export interface TrainPlan {
  config: RunConfig;
  out: string;
  start: RunStart;
}

type Flags = Record<string, unknown>;

/**
 * The settings each run-defining flag sets (as metrics.json names them). Given with `--resume`, such a flag
 * must agree with the run's checkpoint; the flags not listed here (epochs, steps, checkpoint cadence,
 * rollback limits, backend) may change on resume.
 */
const RUN_DEFINING_FLAGS: [attribute: string, flag: string, settings: string[]][] = [
  ['data', '--data', ['data']],
  ['imageSize', '--image-size', ['data']],
  ['unlabeled', '--unlabeled', ['data']],
  ['method', '--method', ['method']],
  ['labels', '--labels', ['labeledExamples', 'labelsPerClass']],
  ['labelsCsv', '--labels-csv', ['labeledExamples']],
  ['seed', '--seed', ['seed']],
  ['preset', '--preset', ['preset']],
  ['lr', '--lr', ['learningRate']],
  ['gLr', '--g-lr', ['optimizer.generatorLearningRate']],
  ['beta1', '--beta1', ['optimizer.beta1']],
  ['gBeta1', '--g-beta1', ['optimizer.generatorBeta1']],
  ['beta2', '--beta2', ['optimizer.beta2']],
  ['adamEpsilon', '--adam-epsilon', ['optimizer.adamEpsilon']],
  ['augment', '--augment', ['augment']],
  ['consistency', '--consistency', ['consistency']],
  ['consistencyRampup', '--consistency-rampup', ['consistencyRampup']],
  ['pseudoLabels', '--pseudo-labels', ['pseudoLabels.weight']],
  ['pseudoThreshold', '--pseudo-threshold', ['pseudoLabels.threshold']],
  ['ganWeight', '--gan-weight', ['ganWeight']],
  ['lrDecayFrom', '--lr-decay-from', ['lrDecay.startEpoch']],
  ['quick', '--quick', ['stepsPerEpoch', 'testLimit']],
];

/** Turns the command line into a plan, refusing anything that would lose or silently change a run. */
export async function planTraining(o: Flags, cmd: Command): Promise<TrainPlan> {
  // flags from a --config file count as given, as on the command line
  const given = (attribute: string) => ['cli', 'config'].includes(cmd.getOptionValueSource(attribute) ?? '');
  if (o.resume !== undefined) return planResume(o, given);
  if (!o.data) throw new UsageError('--data is required (e.g. --data rings or --data mnist:./mnist)');
  const out = o.out as string;
  // a mistyped flag is named first, whatever --out holds
  const config = await configFromFlags(o, o.data as string);
  validateRunConfig(config);
  refuseOtherOutput(out, 'train', 'run');
  if (!o.force) {
    refuseExistingRun(out);
    // the run's own inputs may sit in its folder (exp/labels.csv, exp/config.json with --out exp)
    refuseForeignFiles(
      out,
      [o.labelsCsv, o.config].filter((f): f is string => typeof f === 'string'),
    );
  }
  ensureWritableDir(out);
  return { config, out, start: o.force ? 'replace' : 'new' };
}

async function planResume(o: Flags, given: (attribute: string) => boolean): Promise<TrainPlan> {
  const out = o.resume as string;
  if (o.force)
    throw new UsageError('--resume continues a run and --force starts one over: give one of them, not both');
  if (given('out') && resolve(o.out as string) !== resolve(out))
    throw new UsageError(
      `--out ${o.out as string} and --resume ${out} name different directories: a resumed run continues in its own directory (leave --out out)`,
    );
  requireRunDir(out);
  const stored = readRunConfig(out);
  const flags = RUN_DEFINING_FLAGS.filter(([attribute]) => given(attribute));
  if (flags.length) {
    const requested = await configFromFlags(o, (o.data as string | undefined) ?? stored.data);
    for (const [, flag, settings] of flags) {
      const c = settingConflict(stored, requested, settings);
      if (c)
        throw new UsageError(
          `cannot resume ${out}: ${flag} gives ${describeSetting(c.key, c.requested)}, the run has ${c.stored} ` +
            `(leave ${flag} out to continue the run as it was, or train a new run with another --out)`,
        );
    }
  }
  let config = stored;
  if (given('steps')) config = { ...config, steps: o.steps as number };
  if (given('epochs')) config = { ...config, epochs: o.epochs as number, steps: undefined };
  if (given('checkpointEvery')) config = { ...config, checkpointEverySteps: o.checkpointEvery as number };
  if (given('maxRollbacks')) config = { ...config, maxRollbacks: o.maxRollbacks as number };
  if (given('collapseSteps')) config = { ...config, collapseSteps: o.collapseSteps as number };
  validateRunConfig(config);
  return { config, out, start: 'resume' };
}

/** `labelsPerClass 10` reads `10 labels per class`: --labels counts them all, the run records them per class. */
function describeSetting(key: string, value: unknown): string {
  return key === 'labelsPerClass' ? `${String(value)} labels per class` : `${key} ${String(value)}`;
}

/** The run the flags describe, on `data`, with the defaults of a new run where a flag is absent. */
async function configFromFlags(o: Flags, data: string): Promise<RunConfig> {
  const spec = withUnlabeled(
    withImageSize(parseDataSpec(data), o.imageSize as number | undefined),
    o.unlabeled as string | undefined,
  );
  const defaults = dataDefaults(spec.kind);
  const epochs = (o.epochs as number | undefined) ?? defaults.trainEpochs;
  const method = (o.method as MethodName | undefined) ?? defaults.method;
  // the data's best recipe sets its method's GAN weight; --gan-weight, or another method, leaves it out
  const ganWeight = (o.ganWeight as number | undefined) ?? defaultGanWeight(defaults, method);
  const labels = o.labels as number | undefined;
  const config: RunConfig = {
    data: describeDataSpec(spec),
    method,
    // the plain GAN reads no label: it keeps the smallest labeled set the trainer's batches need
    labelsPerClass:
      labels === undefined
        ? method === 'gan'
          ? 1
          : spec.kind === 'mnist'
            ? 10
            : spec.kind === 'images'
              ? labelsPerClass(100, shapeOf(spec).classNames)
              : 4
        : labelsPerClass(labels, shapeOf(spec).classNames),
    seed: (o.seed as number | undefined) ?? 1,
    ...(o.preset ? { preset: o.preset as string } : {}),
    epochs,
    steps: o.steps as number | undefined,
    checkpointEverySteps: o.checkpointEvery as number,
    learningRate: o.lr as number | undefined,
    ...optimizerOverrides(o),
    ...(o.augment ? { augment: o.augment as RunConfig['augment'] } : {}),
    ...(o.consistency ? { consistency: o.consistency as number } : {}),
    ...(o.consistencyRampup ? { consistencyRampup: o.consistencyRampup as number } : {}),
    ...pseudoLabelFlags(o, method),
    ...(ganWeight !== undefined ? { ganWeight } : {}),
    ...(o.lrDecayFrom !== undefined
      ? { lrDecay: { startEpoch: o.lrDecayFrom as number, endEpoch: epochs } }
      : {}),
    maxRollbacks: o.maxRollbacks as number,
    ...(o.collapseSteps !== undefined ? { collapseSteps: o.collapseSteps as number } : {}),
    ...(o.quick ? { steps: (o.steps as number | undefined) ?? 100, stepsPerEpoch: 50, testLimit: 2000 } : {}),
  };
  if (o.labelsCsv) {
    if (labels !== undefined) throw new UsageError('use --labels or --labels-csv, not both');
    // ids and class names without decoding: toy and MNIST ids are row numbers, images relative paths
    const { train, test } = await loadData(spec, config.seed, undefined, {
      onProgress: decodeProgress(),
      onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
    });
    config.labeledExamples = readLabelsCsv(
      o.labelsCsv as string,
      idsOf(train),
      train.classNames,
      idsOf(test),
    );
    // what the CSV holds, not the default budget's draw, which it replaces
    const perClass = new Map<string, number>();
    for (const e of config.labeledExamples) perClass.set(e.label, (perClass.get(e.label) ?? 0) + 1);
    config.labelsPerClass = Math.max(...perClass.values());
  }
  return config;
}

/** The Adam settings given on the command line, if any (absent ones keep the preset's). */
function optimizerOverrides(o: Flags): { optimizer?: OptimizerOverrides } {
  const optimizer: OptimizerOverrides = {};
  if (o.gLr !== undefined) optimizer.generatorLearningRate = o.gLr as number;
  if (o.beta1 !== undefined) optimizer.beta1 = o.beta1 as number;
  if (o.gBeta1 !== undefined) optimizer.generatorBeta1 = o.gBeta1 as number;
  if (o.beta2 !== undefined) optimizer.beta2 = o.beta2 as number;
  if (o.adamEpsilon !== undefined) optimizer.adamEpsilon = o.adamEpsilon as 'outside' | 'inside';
  return Object.keys(optimizer).length ? { optimizer } : {};
}

/** --pseudo-labels W [--pseudo-threshold T]: FixMatch's term on any method (T alone tunes a fixmatch run's). */
function pseudoLabelFlags(o: Flags, method: MethodName): Pick<RunConfig, 'pseudoLabels'> {
  const weight = o.pseudoLabels as number | undefined;
  const threshold = o.pseudoThreshold as number | undefined;
  if (weight === undefined && threshold === undefined) return {};
  const own = METHOD_TERMS[method]?.pseudoLabels;
  // a threshold alone must not switch the term on for a method that lacks it
  if (weight === undefined && !own) {
    // the plain GAN cannot take the term at all (validateRunConfig), so adding it is no way out there
    const add = method === 'gan' ? '' : 'add --pseudo-labels W, or ';
    throw new UsageError(
      `--pseudo-threshold tunes FixMatch's pseudo-label term, which ${method} does not have: ${add}use --method ${PSEUDO_LABEL_METHODS.join(' or ')}`,
    );
  }
  const defaults = own ?? DEFAULT_PSEUDO_LABELS;
  return {
    pseudoLabels: { weight: weight ?? defaults.weight, threshold: threshold ?? defaults.threshold },
  };
}
