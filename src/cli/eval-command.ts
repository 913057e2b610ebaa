import type { Command } from 'commander';
import { useBackend, type BackendName } from '../backend.js';
import { resolve } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { loadEvalFolder } from '../data/eval-folder.js';
import { describeDataSpec, loadData, parseDataSpec, type DataSpec } from '../data/spec.js';
import { SemiganError, UsageError } from '../errors.js';
import { accuracy, argmaxRows, confusionMatrix } from '../eval/predict.js';
import { loadModel, type LoadedModel } from '../train/load-model.js';
import { decodeProgress } from './progress.js';

/**
 * What eval scores: the run's own data gives its held-out test set (the images the run never trained on); any
 * other folder of photos is scored whole, its class folders matched to the model's classes by name.
 */
async function evalData(
  spec: DataSpec,
  model: LoadedModel,
): Promise<{ test: Pick<Dataset, 'x' | 'y' | 'featureShape'>; part: string }> {
  const own = parseDataSpec(model.metrics.config.data);
  const hooks = {
    onWarning: (m: string) => process.stderr.write(`warning: ${m}\n`),
    onProgress: decodeProgress(),
  };
  if (spec.kind === 'images' && (own.kind !== 'images' || resolve(own.dir) !== resolve(spec.dir))) {
    const { data, part } = await loadEvalFolder(spec.dir, model.classNames, { size: spec.size, ...hooks });
    return { test: data, part };
  }
  const { test } = await loadData(spec, model.metrics.config.seed, undefined, hooks);
  // scored by class index, so the classes must be the model's, in its order (moons' upper/lower are not inner/outer)
  if (test.classNames.join('\n') !== model.classNames.join('\n'))
    throw new UsageError(
      `the model's classes are ${model.classNames.join(', ')}, and ${describeDataSpec(spec)} has ${test.classNames.join(', ')}: give --data with the same classes`,
    );
  return { test, part: `${test.y.length} test examples` };
}

/**
 * Photos are decoded at the size the model takes, whatever size the spec names by default (64 px): a model
 * trained with --image-size 32 is scored on any folder as is. A size the user names that differs is refused
 * before a large folder is decoded for nothing.
 */
function atModelSize(spec: DataSpec, model: LoadedModel, sizeNamed: boolean): DataSpec {
  if (spec.kind !== 'images') return spec;
  const side = model.featureShape[0];
  if (spec.size !== side && sizeNamed)
    throw new UsageError(
      `the model takes ${side}×${side} images, not ${spec.size}: leave out ?size=${spec.size}`,
    );
  return { ...spec, size: side };
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("print a trained model's test accuracy and confusion matrix")
    .requiredOption('--model <dir>', 'a run directory written by semigan train')
    .option(
      '--data <spec>',
      "test data (default: the run's own held-out test set); another images:<dir> is scored whole (its test/ part if it has one)",
    )
    .action(async (o) => {
      await useBackend(o.backend as BackendName);
      const model = loadModel(o.model);
      try {
        const data = (o.data as string | undefined) ?? model.metrics.config.data;
        const spec = atModelSize(parseDataSpec(data), model, /[?&]size=/.test(data));
        const { test, part } = await evalData(spec, model);
        if (test.featureShape.join('x') !== model.featureShape.join('x')) {
          throw new SemiganError(
            `the model takes examples of shape [${model.featureShape}] but ${o.data} has [${test.featureShape}]`,
          );
        }
        const { probs, numClasses } = model.predict(test.x);
        const pred = argmaxRows(probs, numClasses);
        const acc = accuracy(pred, test.y);
        const cm = confusionMatrix(pred, test.y, numClasses);
        const w = Math.max(
          5,
          ...model.classNames.map((c) => c.length + 1),
          ...cm.flat().map((v) => String(v).length + 1),
        );
        const names = model.classNames.map((c) => c.slice(0, w - 1).padStart(w));
        process.stdout.write(
          [
            `${model.metrics.config.method} on ${data}: test accuracy ${(acc * 100).toFixed(2)}% ` +
              `(error ${((1 - acc) * 100).toFixed(2)}%, ${part})`,
            `confusion matrix (rows: true class, columns: predicted)`,
            ' '.repeat(w) + names.join(''),
            ...cm.map((row, i) => names[i] + row.map((v) => String(v).padStart(w)).join('')),
            '',
          ].join('\n'),
        );
      } finally {
        model.dispose();
      }
    });
}
