import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { useBackend, type BackendName } from '../backend.js';
import { SemiganError, UsageError } from '../errors.js';
import { describeInput, loadClassifier, prepareInputs } from '../export/classifier.js';
import { exportModel } from '../export/node-io.js';
import { loadModel } from '../train/load-model.js';
import { writeFileAtomic } from '../util/fs.js';
import { choiceOption } from './parse.js';
import { decodeProgress } from './progress.js';
import { inputFiles, refuseOutFile, refuseUserFiles } from './output-dir.js';

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

interface Prediction {
  file: string;
  class: string;
  p: number[];
}

/** One row per input: CSV with a p_<class> column per class, or JSON with named probabilities. */
function formatPredictions(rows: Prediction[], classNames: string[], format: 'csv' | 'json'): string {
  if (format === 'json') {
    const named = rows.map((r) => ({
      file: r.file,
      class: r.class,
      probabilities: Object.fromEntries(classNames.map((n, j) => [n, Number(r.p[j].toFixed(6))])),
    }));
    return JSON.stringify(named, null, 2) + '\n';
  }
  const header = ['file', 'class', ...classNames.map((n) => `p_${n}`)].map(csvCell).join(',');
  const lines = rows.map((r) =>
    [csvCell(r.file), csvCell(r.class), ...r.p.map((v) => v.toFixed(6))].join(','),
  );
  return [header, ...lines].join('\n') + '\n';
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('classify images (or CSV rows of points) with a trained or exported model')
    .requiredOption('--model <dir>', 'a run directory (semigan train) or an export (semigan export)')
    .argument('<inputs...>', 'image files or folders; for 2-D models, CSV files of x,y rows')
    .option('--format <f>', 'csv | json', choiceOption('format', ['csv', 'json'] as const), 'csv')
    .option('--out <file>', 'write here instead of stdout')
    .option('--force', 'overwrite --out if it exists')
    .action(async (inputs: string[], o) => {
      if (o.out) refuseOutFile(o.out, Boolean(o.force));
      await useBackend(o.backend as BackendName);
      const c = await loadClassifier(o.model);
      try {
        const { ids, x, skipped } = await prepareInputs(
          c,
          inputs,
          decodeProgress({ cached: false, minTotal: 100 }),
        );
        for (const s of skipped) process.stderr.write(`warning: skipping ${s.id}: ${s.reason}\n`);
        if (!ids.length) {
          throw new SemiganError(
            `no readable inputs among ${inputs.join(', ')} (${skipped.length} skipped); this model takes ${describeInput(c)}`,
          );
        }
        const probs = c.predict(x);
        const k = c.classNames.length;
        const rows: Prediction[] = ids.map((id, i) => {
          const p = Array.from(probs.subarray(i * k, (i + 1) * k));
          return { file: id, class: c.classNames[p.indexOf(Math.max(...p))], p };
        });
        const text = formatPredictions(rows, c.classNames, o.format as 'csv' | 'json');
        if (o.out) {
          writeFileAtomic(o.out, text);
          process.stderr.write(`wrote ${rows.length} predictions to ${o.out}\n`);
        } else process.stdout.write(text);
      } finally {
        c.dispose();
      }
    });
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a trained classifier as a tfjs layers model (model.json + weights.bin)')
    .requiredOption('--model <dir>', 'a run directory written by semigan train')
    .requiredOption('--out <dir>', 'directory for model.json and weights.bin')
    .option('--force', 'replace a model already exported to --out')
    .action(async (o) => {
      if (resolve(o.out as string) === resolve(o.model as string))
        throw new UsageError('--out must differ from --model');
      if (refuseUserFiles(o.out as string, 'export', 'export', inputFiles(o)) === 'export' && !o.force)
        throw new UsageError(`${o.out} already holds an exported model (use --force to replace it)`);
      await useBackend(o.backend as BackendName);
      const m = loadModel(o.model);
      try {
        const meta = await exportModel(m, o.out);
        process.stdout.write(
          `exported ${meta.method} classifier (${meta.classNames.join(', ')}; input [${meta.inputShape}]) to ${join(o.out as string, 'model.json')}\n` +
            `load it with npx semigan predict --model ${o.out}, or tf.loadLayersModel('…/model.json') in a browser\n`,
        );
      } finally {
        m.dispose();
      }
    });
}
