import type { Command } from 'commander';
import { useBackend, type BackendName } from '../backend.js';
import { TOY_DATASETS, toyClassNames } from '../data/toy2d.js';
import { DEMO_METHODS, runDemo } from '../experiments/demo.js';
import { TOY_DEFAULTS } from '../experiments/toy.js';
import { CLASSIFIER_METHODS } from '../train/methods.js';
import { ensureWritableDir } from '../util/fs.js';
import { choiceOption, floatOption, intOption, labelsPerClass, listOption } from './parse.js';
import { makeProgress } from './progress.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'two rings, 8 labels (4 per ring): supervised vs naive K+1 vs K-logit SSL-GAN vs Bad GAN, boundaries drawn',
    )
    .option('--out <dir>', 'output directory', './semigan-demo')
    .option('--seed <n>', 'random seed', intOption('--seed', 0, 2 ** 31 - 1), TOY_DEFAULTS.seed)
    .option(
      '--dataset <name>',
      `2-D dataset: ${TOY_DATASETS.join(', ')}`,
      choiceOption('dataset', TOY_DATASETS),
      'rings',
    )
    .option(
      '--labels <n>',
      'labeled points in total, spread evenly over the classes',
      intOption('--labels', 1, 1000),
      TOY_DEFAULTS.labeledPerClass * 2,
    )
    .option(
      '--steps <n>',
      'training steps per method',
      intOption('--steps', 1, 1_000_000),
      TOY_DEFAULTS.steps,
    )
    .option('--noise <std>', 'point jitter (default: per dataset)', floatOption('--noise', 0, 10))
    .option(
      '--methods <list>',
      `comma-separated: ${CLASSIFIER_METHODS.join(', ')}`,
      listOption('method', CLASSIFIER_METHODS),
      DEMO_METHODS,
    )
    .action(async (o) => {
      ensureWritableDir(o.out);
      const perClass = labelsPerClass(o.labels, toyClassNames(o.dataset));
      const backend = await useBackend(o.backend as BackendName);
      const progress = makeProgress();
      process.stderr.write(
        `semigan demo: ${o.dataset}, ${o.labels} labels (${perClass} per class), backend ${backend}\n`,
      );
      const result = await runDemo({
        out: o.out,
        seed: o.seed,
        dataset: o.dataset,
        labeledPerClass: perClass,
        steps: o.steps,
        noise: o.noise,
        methods: o.methods,
        progressEvery: 25,
        onProgress: ({ method, step, steps, accuracy }) => {
          if (step === 25 || (steps < 25 && step === steps && accuracy === undefined))
            progress.start(method, steps);
          if (accuracy === undefined) progress.update(step);
          else {
            progress.update(step);
            progress.stop(`${method.padEnd(12)} test accuracy ${(accuracy * 100).toFixed(1)}%`);
          }
        },
      });
      const rows = Object.entries(result.methods).map(
        ([m, r]) =>
          `  ${m.padEnd(12)} ${(r!.testAccuracy * 100).toFixed(1).padStart(6)}%   ${r!.seconds.toFixed(1)}s`,
      );
      process.stdout.write(
        [
          '',
          `method        test acc   time   (${result.testExamples} test points, ${result.labeledSubset.count} labels)`,
          ...rows,
          '',
          `wrote ${o.out}/result.json and boundary-<method>.png`,
          '',
        ].join('\n'),
      );
    });
}
