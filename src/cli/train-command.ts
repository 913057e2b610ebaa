import type { Command } from 'commander';
import { useBackend, type BackendName } from '../backend.js';
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
import { METHOD_NAMES } from '../train/methods.js';
import type { OptimizerOverrides } from '../experiments/make-trainer.js';
import { readRunConfig, runTraining, type RunConfig } from '../train/run.js';
import { ensureWritableDir } from '../util/fs.js';
import {
  augmentOption,
  choiceOption,
  floatOption,
  IMAGE_SIZE_OPTION,
  intOption,
  labelsPerClass,
} from './parse.js';
import { makeProgress, stepBar } from './progress.js';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train one method on one dataset, with checkpoints, metrics.json and sample grids')
    .option('--data <spec>', 'rings | moons | spirals | blobs | mnist:<dir> | images:<dir>')
    .option(...IMAGE_SIZE_OPTION)
    .option(
      '--method <name>',
      `${METHOD_NAMES.join(' | ')} (gan: a plain GAN, sample pictures only)`,
      choiceOption('method', METHOD_NAMES),
      'klogit-fm',
    )
    .option(
      '--labels <n>',
      'labeled examples in total, spread evenly over the classes',
      intOption('--labels', 1, 1_000_000),
    )
    .option('--unlabeled <dir>', 'images: a folder of extra images without classes, used as unlabeled data')
    .option('--labels-csv <file>', 'exactly these labeled examples (file,label), e.g. from select-labels')
    .option('--epochs <n>', 'epochs (passes over the unlabeled set)', intOption('--epochs', 1, 100_000))
    .option(
      '--steps <n>',
      'stop after this many steps in total (overrides --epochs)',
      intOption('--steps', 1, 1e9),
    )
    .option('--seed <n>', 'random seed', intOption('--seed', 0, 2 ** 31 - 1))
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
    )
    .option(
      '--augment <spec>',
      "augment real images: off, or a comma-joined list of flip, shift=N, rotate=DEG, scale=F (default: the preset's; MNIST none, photos flip,shift=4)",
      augmentOption,
    )
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
      '--lr-decay-from <epoch>',
      'decay the learning rate linearly from this epoch to zero at the last (Bad GAN: the last third)',
      intOption('--lr-decay-from', 0, 100_000),
    )
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
      'roll back when D loss ≈ 0 and G loss ≫ its baseline for N steps, or when D loss explodes (20× its baseline for 20 steps); 0: both off',
      intOption('--collapse-steps', 0, 1e9),
    )
    .option('--out <dir>', 'run directory', './semigan-run')
    .option('--resume <dir>', 'continue the run in DIR exactly where its checkpoint left off')
    .action(async (o) => {
      let config: RunConfig;
      let out: string;
      if (o.resume) {
        out = o.resume;
        config = readRunConfig(out);
        if (o.steps !== undefined) config = { ...config, steps: o.steps };
        if (o.epochs !== undefined) config = { ...config, epochs: o.epochs, steps: undefined };
      } else {
        if (!o.data) throw new UsageError('--data is required (e.g. --data rings or --data mnist:./mnist)');
        const spec = withUnlabeled(withImageSize(parseDataSpec(o.data), o.imageSize), o.unlabeled);
        out = o.out;
        const defaultEpochs = spec.kind === 'mnist' ? 300 : spec.kind === 'images' ? 30 : 100;
        config = {
          data: describeDataSpec(spec),
          method: o.method,
          labelsPerClass:
            o.labels === undefined
              ? spec.kind === 'mnist'
                ? 10
                : spec.kind === 'images'
                  ? labelsPerClass(100, shapeOf(spec).classNames)
                  : 4
              : labelsPerClass(o.labels, shapeOf(spec).classNames),
          seed: o.seed ?? 1,
          epochs: o.epochs ?? defaultEpochs,
          steps: o.steps,
          checkpointEverySteps: o.checkpointEvery,
          learningRate: o.lr,
          ...optimizerOverrides(o),
          ...(o.augment ? { augment: o.augment } : {}),
          ...(o.consistency ? { consistency: o.consistency } : {}),
          ...(o.consistencyRampup ? { consistencyRampup: o.consistencyRampup } : {}),
          ...(o.lrDecayFrom !== undefined
            ? { lrDecay: { startEpoch: o.lrDecayFrom, endEpoch: o.epochs ?? defaultEpochs } }
            : {}),
          maxRollbacks: o.maxRollbacks,
          ...(o.collapseSteps !== undefined ? { collapseSteps: o.collapseSteps } : {}),
          ...(o.quick ? { steps: o.steps ?? 100, stepsPerEpoch: 50, testLimit: 2000 } : {}),
        };
        if (o.labelsCsv) {
          if (o.labels !== undefined) throw new UsageError('use --labels or --labels-csv, not both');
          // ids and class names without decoding: toy and MNIST ids are row numbers, images relative paths
          const { train } = await loadData(spec, config.seed);
          config.labeledExamples = readLabelsCsv(o.labelsCsv, idsOf(train), train.classNames);
        }
      }
      ensureWritableDir(out);
      const backend = await useBackend(o.backend as BackendName);
      const progress = makeProgress();
      let interrupts = 0;
      const onSignal = (sig: string) => {
        interrupts++;
        if (interrupts > 1) {
          process.stderr.write(`\n${sig} again: exiting without saving\n`);
          process.exit(130);
        }
        process.stderr.write(`\n${sig}: saving a checkpoint (press Ctrl-C again to exit at once)\n`);
      };
      const sigint = () => onSignal('SIGINT');
      const sigterm = () => onSignal('SIGTERM');
      process.on('SIGINT', sigint);
      process.on('SIGTERM', sigterm);
      const bar = stepBar(progress);
      try {
        const metrics = await runTraining(
          config,
          out,
          {
            onStart: ({ labeled, unlabeled }) =>
              process.stderr.write(
                `semigan train: ${config.method} on ${config.data}, ${labeled} labeled + ${unlabeled} unlabeled, seed ${config.seed}, backend ${backend}${o.resume ? ' (resuming)' : ''}\n`,
              ),
            onStep: bar.onStep,
            onEpoch: (m, total) =>
              bar.line(
                `epoch ${m.epoch}/${total}: test accuracy ${(m.testAccuracy * 100).toFixed(2)}%  (D ${m.dLoss.toFixed(3)}, G ${m.gLoss.toFixed(3)}, ${m.seconds}s)`,
              ),
            shouldStop: () => interrupts > 0,
            onWarning: (msg) => bar.line(`warning: ${msg}`),
            onLoadProgress: (done, total) => {
              if (done === 1) progress.start('decode', total);
              if (done % 100 === 0 || done === total) progress.update(done);
              if (done === total) progress.stop(`decoded ${total} images (cached for the next run)`);
            },
            onRollback: (r) =>
              bar.line(
                `diverged at step ${r.atStep} (${r.reason ?? 'non-finite loss'}): rolled back to step ${r.toStep}, learning rate now ${r.learningRate}`,
              ),
          },
          !!o.resume,
        );
        progress.stop('');
        if (!metrics.complete) {
          process.stderr.write(
            `stopped at step ${metrics.step}; continue with: semigan train --resume ${out}\n`,
          );
          process.exitCode = 130;
          return;
        }
        process.stdout.write(
          (metrics.testAccuracy === undefined
            ? `trained a plain GAN for ${metrics.step} steps (no classifier); its pictures are in ${out}\n`
            : `test accuracy ${(metrics.testAccuracy * 100).toFixed(2)}% after ${metrics.step} steps\n`) +
            `labeled subset: ${metrics.labeledSubset.count} (${JSON.stringify(metrics.labeledSubset.perClass)}), ids sha256 ${metrics.labeledSubset.idsSha256.slice(0, 16)}…\n` +
            `weights sha256 ${metrics.weightsSha256}\nwrote ${out}/metrics.json and ${out}/checkpoint.bin\n`,
        );
      } finally {
        process.off('SIGINT', sigint);
        process.off('SIGTERM', sigterm);
      }
    });
}

/** The Adam settings given on the command line, if any (absent ones keep the preset's). */
function optimizerOverrides(o: Record<string, unknown>): { optimizer?: OptimizerOverrides } {
  const optimizer: OptimizerOverrides = {};
  if (o.gLr !== undefined) optimizer.generatorLearningRate = o.gLr as number;
  if (o.beta1 !== undefined) optimizer.beta1 = o.beta1 as number;
  if (o.gBeta1 !== undefined) optimizer.generatorBeta1 = o.gBeta1 as number;
  if (o.beta2 !== undefined) optimizer.beta2 = o.beta2 as number;
  if (o.adamEpsilon !== undefined) optimizer.adamEpsilon = o.adamEpsilon as 'outside' | 'inside';
  return Object.keys(optimizer).length ? { optimizer } : {};
}
