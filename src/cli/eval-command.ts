import type { Command } from 'commander';
import { useBackend, type BackendName } from '../backend.js';
import { loadData, parseDataSpec } from '../data/spec.js';
import { SemiganError } from '../errors.js';
import { accuracy, argmaxRows, confusionMatrix } from '../eval/predict.js';
import { loadModel } from '../train/load-model.js';
import { decodeProgress } from './progress.js';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("print a trained model's test accuracy and confusion matrix")
    .requiredOption('--model <dir>', 'a run directory written by semigan train')
    .option('--data <spec>', "test data (default: the run's own)")
    .action(async (o) => {
      await useBackend(o.backend as BackendName);
      const model = loadModel(o.model);
      try {
        const spec = parseDataSpec(o.data ?? model.metrics.config.data);
        const { test } = await loadData(spec, model.metrics.config.seed, undefined, {
          onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
          onProgress: decodeProgress(),
        });
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
            `${model.metrics.config.method} on ${spec.kind === 'toy' ? spec.name : spec.dir}: test accuracy ${(acc * 100).toFixed(2)}% ` +
              `(error ${((1 - acc) * 100).toFixed(2)}%, ${test.y.length} examples)`,
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
