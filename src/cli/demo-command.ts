import { Option, type Command } from 'commander';
import { describeBackend, useBackend, type BackendName } from '../backend.js';
import { TOY_DATASETS, toyClassNames } from '../data/toy2d.js';
import { DEMO_METHODS, runDemo } from '../experiments/demo.js';
import { TOY_DEFAULTS } from '../experiments/toy.js';
import { METHOD_NAMES } from '../train/methods.js';
import { ensureWritableDir } from '../util/fs.js';
import { choiceOption, floatOption, intOption, labelsPerClass, listOption } from './parse.js';
import { formatDuration, makeProgress } from './progress.js';
import { clearOwnFiles, demoReplacing, inputFiles, markOutput } from './output-dir.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'two rings, 8 labels (4 per ring): the talk in pictures (supervised, GAN, naive K+1, K-logit, Bad GAN) and story.html',
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
    .addOption(
      new Option('--methods <list>', `comma-separated: ${METHOD_NAMES.join(', ')}`)
        .argParser(listOption('method', METHOD_NAMES))
        .default(DEMO_METHODS, DEMO_METHODS.join(',')),
    )
    .action(async (o) => {
      const perClass = labelsPerClass(o.labels, toyClassNames(o.dataset));
      const replacing = demoReplacing(o.out, inputFiles(o));
      // a backend that cannot start leaves no folder behind
      const backend = await useBackend(o.backend as BackendName);
      ensureWritableDir(o.out);
      if (replacing) {
        process.stderr.write(`semigan demo: ${replacing}\n`);
        // pictures of methods this demo does not run must not outlive the story that showed them
        clearOwnFiles(o.out, 'demo');
      }
      markOutput(o.out, 'demo');
      const progress = makeProgress();
      process.stderr.write(
        `semigan demo: ${o.dataset}, ${o.labels} labels (${perClass} per class), backend ${describeBackend(backend)}\n`,
      );
      const t0 = performance.now();
      const result = await runDemo({
        out: o.out,
        seed: o.seed,
        dataset: o.dataset,
        labeledPerClass: perClass,
        steps: o.steps,
        noise: o.noise,
        methods: o.methods,
        progressEvery: 25,
        onProgress: ({ method, step, steps, accuracy, done }) => {
          if (step === 25 || (done && steps < 25)) progress.start(method, steps);
          progress.update(step);
          if (done)
            progress.stop(
              `${method.padEnd(12)} ${accuracy === undefined ? 'trained' : `test accuracy ${(accuracy * 100).toFixed(1)}%`}`,
            );
        },
      });
      const cell = (x: number | undefined, w: number) =>
        (x === undefined ? '—' : `${(x * 100).toFixed(1)}%`).padStart(w);
      const rows = Object.entries(result.methods).map(
        ([m, r]) =>
          `  ${m.padEnd(12)} ${cell(r!.testAccuracy, 8)} ${cell(r!.fakesInGap, 12)}   ${r!.seconds.toFixed(1)}s`,
      );
      process.stdout.write(
        [
          '',
          `  method       test acc  fakes in gap   time   (seed ${result.seed}, ${result.testExamples} test points, ${result.labeledSubset.count} labels)`,
          ...rows,
          '',
          "One seed's figures; they can move by a few points with the CPU and kernels. Means and ranges over",
          'seeds: docs/the-talk.md (from bench/results/rings-heads.json).',
          `wrote ${o.out}/story.html, result.json and the pictures (the demo took ${formatDuration((performance.now() - t0) / 1000)})`,
          '',
        ].join('\n'),
      );
    });
}
