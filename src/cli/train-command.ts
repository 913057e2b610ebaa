import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { describeBackend, useBackend, type BackendName } from '../backend.js';
import {
  dataDefaults,
  describeDefault,
  describeEpochs,
  IMAGES_DEFAULTS,
} from '../experiments/data-defaults.js';
import { isToyName } from '../data/toy2d.js';
import { PRESET_NAMES } from '../experiments/presets.js';
import { hasGenerator, METHOD_NAMES, PSEUDO_LABEL_METHODS } from '../train/methods.js';
import { runTraining } from '../train/run.js';
import type { RunMetrics } from '../train/run-config.js';
import {
  AUGMENT_OPTION,
  choiceOption,
  floatOption,
  IMAGE_SIZE_OPTION,
  intOption,
  PSEUDO_THRESHOLD_OPTION,
  GAN_WEIGHT_OPTION,
  methodsHelp,
} from './parse.js';
import { stopOnInterrupt } from './interrupt.js';
import { decodeProgress, fewStepsWarning, makeProgress, stepBar } from './progress.js';
import { planTraining } from './train-plan.js';
import { removeIfEmpty } from '../util/fs.js';

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description(
      'train one method on one dataset, with checkpoints, metrics.json and (with a generator) sample grids',
    );
  runControlOptions(lossOptions(optimizerOptions(dataOptions(cmd))))
    .addHelpText('after', methodsHelp(METHOD_NAMES))
    .action(train);
}

/** What to learn from: the data, the method, which examples carry labels, how long. */
function dataOptions(cmd: Command): Command {
  return cmd
    .option('--data <spec>', 'rings | moons | spirals | blobs | mnist:<dir> | images:<dir>')
    .option(...IMAGE_SIZE_OPTION)
    .option(
      '--method <name>',
      `${METHOD_NAMES.join(' | ')} (gan: a plain GAN, sample pictures only) (default: ${dataDefaults('toy').method}; images: ${describeDefault(IMAGES_DEFAULTS)})`,
      choiceOption('method', METHOD_NAMES),
    )
    .option(
      '--labels <n>',
      'labeled examples in total, spread evenly over the classes (default: 100; 2-D toys: 4 per class; --method gan: 1 per class, which its loss never uses)',
      intOption('--labels', 1, 1_000_000),
    )
    .option('--unlabeled <dir>', 'images: a folder of extra images without classes, used as unlabeled data')
    .option('--labels-csv <file>', 'exactly these labeled examples (file,label), e.g. from select-labels')
    .option(
      '--epochs <n>',
      `epochs, passes over the unlabeled set (default: ${describeEpochs('trainEpochs')})`,
      intOption('--epochs', 1, 100_000),
    )
    .option(
      '--steps <n>',
      'stop after this many steps in total (overrides --epochs)',
      intOption('--steps', 1, 1e9),
    )
    .option('--seed <n>', 'random seed (default 1)', intOption('--seed', 0, 2 ** 31 - 1))
    .option(
      '--preset <name>',
      `the nets and optimiser by name: ${PRESET_NAMES.join(' | ')} (default: the data's; images: photo-cnn, dcgan-resnet the earlier one; --method gan on MNIST: mlp-gan-mnist)`,
      choiceOption('preset', PRESET_NAMES),
    );
}

/** Adam's settings, where they differ from the preset's. */
function optimizerOptions(cmd: Command): Command {
  return cmd
    .option('--lr <x>', 'learning rate (default: the preset)', floatOption('--lr', 1e-7, 1))
    .option('--g-lr <x>', "generator's learning rate (default: --lr)", floatOption('--g-lr', 1e-7, 1))
    .option(
      '--beta1 <x>',
      "Adam's β1 for both nets (default: the preset's)",
      floatOption('--beta1', 0, 0.9999),
    )
    .option('--g-beta1 <x>', "generator's Adam β1 (default: --beta1)", floatOption('--g-beta1', 0, 0.9999))
    .option('--beta2 <x>', "Adam's β2 for both nets (default 0.999)", floatOption('--beta2', 0, 0.999999))
    .option(
      '--adam-epsilon <where>',
      "Adam's ε outside the square root (PyTorch, Bad GAN) or inside it (Improved GAN); default: the preset's",
      choiceOption('adam-epsilon', ['outside', 'inside'] as const),
    );
}

/** Augmentation and the weights of the extra unlabeled terms and their schedule. */
function lossOptions(cmd: Command): Command {
  return cmd
    .option(...AUGMENT_OPTION)
    .option(
      '--consistency <w>',
      'weight of a Π-model consistency term: D sees each unlabeled batch twice (own augmentation and noise) and is pulled to agree with itself (default 0: off)',
      floatOption('--consistency', 0, 1000),
    )
    .option(
      '--consistency-rampup <epochs>',
      'grow the consistency weight from ~0 to W over the first N epochs, as the Π-model does (default 0: full weight from the first step)',
      intOption('--consistency-rampup', 0, 100_000),
    )
    .option(
      '--pseudo-labels <w>',
      `weight of FixMatch's pseudo-label term: a strongly augmented view of each unlabeled image learns D's confident prediction on a weak one (default: 1 for ${PSEUDO_LABEL_METHODS.join(' and ')}, 0 otherwise)`,
      floatOption('--pseudo-labels', 0, 1000),
    )
    .option(...PSEUDO_THRESHOLD_OPTION)
    .option(...GAN_WEIGHT_OPTION)
    .option(
      '--lr-decay-from <epoch>',
      'decay the learning rate linearly from this epoch to zero at the last (Bad GAN: the last third)',
      intOption('--lr-decay-from', 0, 100_000),
    );
}

/** Checkpoints, rollbacks, where the run lives and how an existing one is treated. */
function runControlOptions(cmd: Command): Command {
  return cmd
    .option('--quick', 'a smoke run: 100 steps, evaluated every 50 on at most 2000 test examples')
    .option(
      '--checkpoint-every <n>',
      'steps between checkpoints',
      intOption('--checkpoint-every', 1, 1e9),
      500,
    )
    .option(
      '--max-rollbacks <n>',
      'on NaN/Inf, roll back with a halved lr at most N times',
      intOption('--max-rollbacks', 0, 100),
      3,
    )
    .option(
      '--collapse-steps <n>',
      'roll back when D loss ≈ 0 and G loss ≫ its baseline for N steps, or when D loss explodes (20× its baseline for 20 steps); 0: both off (default 500)',
      intOption('--collapse-steps', 0, 1e9),
    )
    .option(
      '--out <dir>',
      'run directory, new or empty (one that holds a run, or other files, is refused: see --resume and --force)',
      './semigan-run',
    )
    .option(
      '--resume <dir>',
      'continue the run in DIR exactly where its checkpoint left off (flags that would change what it learns are refused; --epochs, --steps, --checkpoint-every, --max-rollbacks, --collapse-steps may change)',
    )
    .option(
      '--force',
      'start over in --out even if it holds a run (replaces that run), or write the run beside other files there',
    );
}

/** `semigan train`: plan the run from the flags (or the run to resume), train it, say how it ended. */
async function train(o: Record<string, unknown>, cmd: Command): Promise<void> {
  // a run that fails before writing anything (unreadable data, too many labels) leaves no empty folder behind
  const dir = (o.resume ?? o.out) as string;
  const existed = existsSync(dir);
  try {
    await trainIn(o, cmd);
  } catch (e) {
    if (!existed) removeIfEmpty(dir);
    throw e;
  }
}

async function trainIn(o: Record<string, unknown>, cmd: Command): Promise<void> {
  const { config, out, start } = await planTraining(o, cmd);
  const backend = await useBackend(o.backend as BackendName);
  const progress = makeProgress();
  const interrupt = stopOnInterrupt();
  const bar = stepBar(progress);
  // a method without a generator has one loss: a "G 0.000" beside it would read as a broken generator
  const losses = (m: { dLoss: number; gLoss: number }) =>
    hasGenerator(config.method)
      ? `D ${m.dLoss.toFixed(3)}, G ${m.gLoss.toFixed(3)}`
      : `loss ${m.dLoss.toFixed(3)}`;
  let nothingToTrain = false;
  try {
    const metrics = await runTraining(
      config,
      out,
      {
        onStart: (info) => {
          bar.onStart(info);
          // the plain GAN's batches carry labeled rows its loss never reads: it trains on no label
          const labeled = config.method === 'gan' ? 'no labels' : `${info.labeled} labeled`;
          const resuming =
            start !== 'resume'
              ? ''
              : info.startStep < info.totalSteps
                ? ` (resuming from step ${info.startStep} of ${info.totalSteps})`
                : ` (at step ${info.startStep}, the ${info.totalSteps} asked for are done)`;
          process.stderr.write(
            `semigan train: ${config.method} on ${config.data}, ${labeled} + ${info.unlabeled} unlabeled, seed ${config.seed}, backend ${describeBackend(backend)}${resuming}\n`,
          );
          // an epoch is a pass over the unlabeled data: on a small folder the default epochs are a handful of steps
          const few = fewStepsWarning(info, '--epochs or --steps');
          if (few && o.steps === undefined && !o.quick) bar.line(few);
        },
        onStep: bar.onStep,
        onEpoch: (m) => {
          if (!bar.logsEpoch(m.epoch)) return;
          bar.line(
            `${bar.epoch(m.epoch)}: test accuracy ${(m.testAccuracy * 100).toFixed(2)}%  (${losses(m)}, ${m.seconds}s)`,
          );
        },
        shouldStop: interrupt.shouldStop,
        onWarning: (msg) => bar.line(`warning: ${msg}`),
        onLoadProgress: decodeProgress(),
        onRollback: (r) =>
          bar.line(
            `diverged at step ${r.atStep} (${r.reason ?? 'non-finite loss'}): rolled back to step ${r.toStep}, learning rate now ${r.learningRate}`,
          ),
        onNothingToTrain: (step) => {
          nothingToTrain = true;
          bar.line(
            `${out} is already at step ${step}, as far as --epochs/--steps ask: nothing more to train, nothing changed (give a larger --epochs or --steps to go on)`,
          );
        },
      },
      start,
    );
    progress.stop();
    if (nothingToTrain) return;
    if (!metrics.complete) {
      process.stderr.write(
        `stopped at step ${metrics.step}; continue with: npx semigan train --resume ${out}\n`,
      );
      process.exitCode = 130;
      return;
    }
    process.stdout.write(
      (metrics.testAccuracy === undefined
        ? `trained a plain GAN for ${metrics.step} steps (no classifier); its pictures are in ${out}\n`
        : `test accuracy ${(metrics.testAccuracy * 100).toFixed(2)}% after ${metrics.step} steps\n`) +
        labeledSubsetLine(metrics.labeledSubset, metrics.testAccuracy !== undefined) +
        `weights sha256 ${metrics.weightsSha256}\nwrote ${out}/metrics.json and ${out}/checkpoint.bin\n` +
        nextStep(config.data, out, metrics.testAccuracy !== undefined),
    );
  } finally {
    interrupt.release();
  }
}

/** The run's labeled subset; a plain GAN's batches carry one, which its loss never uses: said so. */
function labeledSubsetLine(l: RunMetrics['labeledSubset'], classifies: boolean): string {
  const ids = `ids sha256 ${l.idsSha256.slice(0, 16)}…`;
  return classifies
    ? `labeled subset: ${l.count} (${JSON.stringify(l.perClass)}), ${ids}\n`
    : `labels: none used (a plain GAN); its batches carry ${l.count} labeled examples its loss never reads, ${ids}\n`;
}

/** The command a classifier run is for, as select-labels names the train command that follows it. */
function nextStep(data: string, out: string, classifies: boolean): string {
  if (!classifies) return '';
  const inputs = isToyName(data) ? 'points.csv' : 'new-images/';
  return `classify new data with: npx semigan predict --model ${out} ${inputs}\n`;
}
