import { InvalidArgumentError, Option, type Command } from 'commander';
import { join } from 'node:path';
import { useBackend, type BackendName } from '../backend.js';
import { SELECT_STRATEGIES, type SelectStrategy } from '../data/select-labels.js';
import { describeDataSpec, parseDataSpec, withImageSize, withUnlabeled } from '../data/spec.js';
import { Stopped, UsageError } from '../errors.js';
import { formatCompareTable, once, runCompare } from '../experiments/compare.js';
import {
  dataDefaults,
  defaultGanWeights,
  describeEpochs,
  IMAGES_DEFAULTS,
} from '../experiments/data-defaults.js';
import { CLASSIFIER_METHODS, type MethodName } from '../train/methods.js';
import type { Augmentation } from '../train/augment.js';
import {
  AUGMENT_OPTION,
  IMAGE_SIZE_OPTION,
  intOption,
  listOption,
  PSEUDO_THRESHOLD_OPTION,
  GAN_WEIGHT_OPTION,
  methodsHelp,
} from './parse.js';
import { stopOnInterrupt } from './interrupt.js';
import { decodeProgress, fewStepsWarning, makeProgress, selectionProgress, stepBar } from './progress.js';
import { inputFiles, markOutput, refuseUserFiles } from './output-dir.js';
import { refuseNarrowerReport } from './compare-report-guard.js';

/** --methods: the classifying methods; the plain GAN is named as what it is, not as an unknown method. */
function classifierMethods(value: string): MethodName[] {
  if (value.split(',').some((m) => m.trim() === 'gan'))
    throw new InvalidArgumentError(
      'compare scores classifiers, and the plain GAN (gan) has none: train it on its own with semigan train --method gan',
    );
  return listOption('methods', CLASSIFIER_METHODS)(value);
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      'label-selection strategies × methods × seeds on one dataset: result.json, a table, report.html',
    )
    .requiredOption('--data <spec>', 'rings | moons | spirals | blobs | mnist:<dir> | images:<dir>')
    .option(...IMAGE_SIZE_OPTION)
    .option('--unlabeled <dir>', 'images: a folder of extra images without classes, used as unlabeled data')
    .option('--labels <n>', 'labeled examples per run, in total', intOption('--labels', 1, 1_000_000), 100)
    .addOption(
      new Option('--select <list>', `label selection: ${SELECT_STRATEGIES.join(',')}`)
        .argParser(listOption('select', SELECT_STRATEGIES))
        .default(['random', 'representative'], 'random,representative'),
    )
    .addOption(
      new Option(
        '--methods <list>',
        `${CLASSIFIER_METHODS.join(',')} (default: ${dataDefaults('toy').compareMethods.join(',')}; images: ${IMAGES_DEFAULTS.compareMethods.join(',')})`,
      ).argParser(classifierMethods),
    )
    .option('--seeds <n>', 'seeds 1…n', intOption('--seeds', 1, 100), 3)
    .option(
      '--epochs <n>',
      `epochs per run (default: ${describeEpochs('compareEpochs')})`,
      intOption('--epochs', 1, 100_000),
    )
    .option(
      '--validation <n>',
      'labeled validation examples per class, read and held out of training, for the supervised ' +
        "baseline's early stopping (0: no label beyond --labels, every method reports its last epoch)",
      intOption('--validation', 0, 100_000),
      0,
    )
    .option(...AUGMENT_OPTION)
    .option(...PSEUDO_THRESHOLD_OPTION)
    .option(...GAN_WEIGHT_OPTION)
    .option('--out <dir>', 'output directory (runs resume from it)', './semigan-compare')
    .option(
      '--force',
      "replace the report in --out even where it covers runs this call leaves out (those runs' folders stay)",
    )
    .addHelpText('after', methodsHelp(CLASSIFIER_METHODS))
    .action(compare);
}

/** The flags as commander parsed them (see the options above). */
interface CompareFlags {
  data: string;
  imageSize?: number;
  unlabeled?: string;
  labels: number;
  select: SelectStrategy[];
  methods?: MethodName[];
  seeds: number;
  epochs?: number;
  validation: number;
  augment?: Augmentation;
  pseudoThreshold?: number;
  ganWeight?: number;
  out: string;
  force?: boolean;
  backend: BackendName;
  /** --config, which every command takes (main.ts) */
  config?: string;
}

/** `semigan compare`: the grid of runs (resuming any that stopped), then its table, result.json and report. */
async function compare(o: CompareFlags): Promise<void> {
  const spec = withUnlabeled(withImageSize(parseDataSpec(o.data), o.imageSize), o.unlabeled);
  const defaults = dataDefaults(spec.kind);
  const methods = o.methods ?? defaults.compareMethods;
  if (!o.select.length || !methods.length)
    throw new UsageError('--select and --methods need at least one entry');
  refuseUserFiles(o.out, 'compare', 'compare', inputFiles(o));
  const seeds = Array.from({ length: o.seeds }, (_, i) => i + 1);
  const dataset = describeDataSpec(spec);
  refuseNarrowerReport(
    o.out,
    { data: dataset, labels: o.labels, select: o.select, methods, seeds },
    Boolean(o.force),
  );
  await useBackend(o.backend);
  const epochs = o.epochs ?? defaults.compareEpochs;
  // --gan-weight for every GAN method; else the data's table sets the weights of the methods it names
  const ganWeight = o.ganWeight ?? defaultGanWeights(defaults);
  const bar = stepBar(makeProgress());
  const warnOnce = once((line) => bar.line(line))!;
  const onDecode = decodeProgress();
  // Ctrl-C: the running run saves a checkpoint and the same command continues the grid
  const interrupt = stopOnInterrupt();
  // marked before its first file: a compare stopped early is still recognised as one and resumed
  const unmark = markOutput(o.out, 'compare');
  const result = await runCompare(
    {
      data: dataset,
      labels: o.labels,
      select: o.select,
      methods,
      seeds,
      epochs,
      validationPerClass: o.validation,
      out: o.out,
      ...(o.augment ? { augment: o.augment } : {}),
      ...(o.pseudoThreshold !== undefined ? { pseudoThreshold: o.pseudoThreshold } : {}),
      ...(ganWeight !== undefined ? { ganWeight } : {}),
    },
    {
      shouldStop: interrupt.shouldStop,
      onWarning: (m) => bar.line(`warning: ${m}`),
      // the folder is decoded once, for label selection; the runs read the cache
      onProgress: onDecode,
      onLoadProgress: onDecode,
      onSelectionStep: selectionProgress(),
      onStart: (info) => {
        bar.onStart(info);
        // every run of a grid has the same schedule: one warning for the grid
        const few = fewStepsWarning(info, '--epochs');
        if (few) warnOnce(few);
      },
      onNote: (m) => bar.line(m),
      onRunStart: ({ select, method, seed, index, total }) =>
        process.stderr.write(`[${index + 1}/${total}] ${method}, labels ${select}, seed ${seed}\n`),
      onStep: bar.onStep,
      onEpoch: (m) =>
        bar.line(`  ${bar.epoch(m.epoch)}: test accuracy ${(m.testAccuracy * 100).toFixed(2)}%`),
      onRunDone: (r) =>
        process.stderr.write(
          `  → ${(r.testAccuracy * 100).toFixed(2)}%${r.selectedEpoch ? ` (epoch ${r.selectedEpoch} by validation)` : ''}, ${r.labelsRead} labels read\n`,
        ),
    },
  )
    .catch((e: unknown) => {
      if (!(e instanceof Stopped)) {
        unmark();
        throw e;
      }
      bar.line(`${e.message}; run the same command again to continue`);
      process.exitCode = 130;
    })
    .finally(interrupt.release);
  if (!result) return;
  process.stdout.write(
    `${formatCompareTable(result)}\nwrote ${join(o.out, 'result.json')} and ${join(o.out, 'report.html')}\n`,
  );
}
