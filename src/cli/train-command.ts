import type { Command } from 'commander';
import { useBackend, type BackendName } from '../backend.js';
import { parseDataSpec, shapeOf } from '../data/spec.js';
import { UsageError } from '../errors.js';
import { METHODS, type MethodName } from '../train/methods.js';
import { readRunConfig, runTraining, type RunConfig } from '../train/run.js';
import { ensureWritableDir } from '../util/fs.js';
import { choiceOption, floatOption, intOption, labelsPerClass } from './parse.js';
import { makeProgress } from './progress.js';

const CLASSIFIERS = (Object.keys(METHODS) as MethodName[]).filter((m) => m !== 'gan');

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train one method on one dataset, with checkpoints, metrics.json and sample grids')
    .option('--data <spec>', 'rings | moons | spirals | blobs | mnist:<dir>')
    .option('--method <name>', `${CLASSIFIERS.join(' | ')}`, choiceOption('method', CLASSIFIERS), 'klogit-fm')
    .option(
      '--labels <n>',
      'labeled examples in total, spread evenly over the classes',
      intOption('--labels', 1, 1_000_000),
    )
    .option('--epochs <n>', 'epochs (passes over the unlabeled set)', intOption('--epochs', 1, 100_000))
    .option(
      '--steps <n>',
      'stop after this many steps in total (overrides --epochs)',
      intOption('--steps', 1, 1e9),
    )
    .option('--seed <n>', 'random seed', intOption('--seed', 0, 2 ** 31 - 1))
    .option('--lr <x>', 'learning rate (default: the preset)', floatOption('--lr', 1e-7, 1))
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
        const spec = parseDataSpec(o.data);
        out = o.out;
        config = {
          data: o.data,
          method: o.method,
          labelsPerClass:
            o.labels === undefined
              ? spec.kind === 'mnist'
                ? 10
                : 4
              : labelsPerClass(o.labels, shapeOf(spec).classNames),
          seed: o.seed ?? 1,
          epochs: o.epochs ?? (spec.kind === 'mnist' ? 300 : 100),
          steps: o.steps,
          checkpointEverySteps: o.checkpointEvery,
          learningRate: o.lr,
          maxRollbacks: o.maxRollbacks,
          ...(o.quick ? { steps: o.steps ?? 100, stepsPerEpoch: 50, testLimit: 2000 } : {}),
        };
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
      let started = false;
      try {
        const metrics = await runTraining(
          config,
          out,
          {
            onStart: ({ labeled, unlabeled }) =>
              process.stderr.write(
                `semigan train: ${config.method} on ${config.data}, ${labeled} labeled + ${unlabeled} unlabeled, seed ${config.seed}, backend ${backend}${o.resume ? ' (resuming)' : ''}\n`,
              ),
            onStep: (step, total) => {
              if (!started) progress.start('train', total);
              started = true;
              if (step % 10 === 0) progress.update(step);
            },
            onEpoch: (m, total) => {
              progress.stop(
                `epoch ${m.epoch}/${total}: test accuracy ${(m.testAccuracy * 100).toFixed(2)}%  (D ${m.dLoss.toFixed(3)}, G ${m.gLoss.toFixed(3)}, ${m.seconds}s)`,
              );
              started = false;
            },
            shouldStop: () => interrupts > 0,
            onRollback: (r) => {
              progress.stop(
                `diverged at step ${r.atStep}: rolled back to step ${r.toStep}, learning rate now ${r.learningRate}`,
              );
              started = false;
            },
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
          `test accuracy ${((metrics.testAccuracy ?? 0) * 100).toFixed(2)}% after ${metrics.step} steps\n` +
            `labeled subset: ${metrics.labeledSubset.count} (${JSON.stringify(metrics.labeledSubset.perClass)}), ids sha256 ${metrics.labeledSubset.idsSha256.slice(0, 16)}…\n` +
            `weights sha256 ${metrics.weightsSha256}\nwrote ${out}/metrics.json and ${out}/checkpoint.bin\n`,
        );
      } finally {
        process.off('SIGINT', sigint);
        process.off('SIGTERM', sigterm);
      }
    });
}
