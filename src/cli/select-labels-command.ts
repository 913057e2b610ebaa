import type { Command } from 'commander';
import { useBackend, type BackendName } from '../backend.js';
import { idsOf } from '../data/split.js';
import { formatLabelsCsv } from '../data/labels-csv.js';
import { LabelOracle } from '../data/label-oracle.js';
import { SELECT_STRATEGIES, selectLabels, type SelectStrategy } from '../data/select-labels.js';
import { loadData, parseDataSpec, withImageSize } from '../data/spec.js';
import { dataDefaults } from '../experiments/data-defaults.js';
import { writeFileAtomic } from '../util/fs.js';
import { choiceOption, IMAGE_SIZE_OPTION, intOption } from './parse.js';
import { decodeProgress, selectionProgress } from './progress.js';
import { refuseOutFile } from './output-dir.js';

export function registerSelectLabels(program: Command): void {
  program
    .command('select-labels')
    .description('choose which training examples to label and write them as a labels CSV (file,label)')
    .requiredOption('--data <spec>', 'rings | moons | spirals | blobs | mnist:<dir> | images:<dir>')
    .requiredOption('--n <count>', 'how many examples to label (required)', intOption('--n', 1, 1_000_000))
    .option(
      '--strategy <name>',
      `${SELECT_STRATEGIES.join(' | ')} (representative: the most typical example of each k-means cluster, in features learnt from the unlabeled photos, pixel PCA for other data; no labels read)`,
      choiceOption('strategy', SELECT_STRATEGIES),
      'representative',
    )
    .option(...IMAGE_SIZE_OPTION)
    .option('--seed <n>', 'random seed', intOption('--seed', 0, 2 ** 31 - 1), 1)
    .option('--out <file>', 'labels CSV to write', 'labels.csv')
    .option('--force', 'overwrite --out if it exists')
    .option('--blank', 'leave the label column empty for a person to fill in, even where the data knows it')
    .action(async (o) => {
      refuseOutFile(o.out, Boolean(o.force));
      await useBackend(o.backend as BackendName);
      const spec = withImageSize(parseDataSpec(o.data), o.imageSize);
      const { train } = await loadData(spec, o.seed, undefined, {
        onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
        onProgress: decodeProgress(),
      });
      const oracle = new LabelOracle(train.y);
      const rows = await selectLabels(train, o.n, o.strategy as SelectStrategy, o.seed, oracle, '--n', {
        onFeatureStep: selectionProgress(),
      });
      const readToChoose = oracle.readIndices().length;
      const ids = idsOf(train);
      // the label column is a convenience where the data already knows it (class folders, MNIST): read
      // through the oracle like any other label
      const labels = rows.map((r) => train.classNames[oracle.label(r)]);
      const csv = formatLabelsCsv(rows.map((r, i) => ({ id: ids[r], label: o.blank ? '' : labels[i] })));
      writeFileAtomic(o.out, csv);
      // the method that has done best with typical examples on this kind of data, where it is not the default
      const method =
        o.strategy === 'representative' ? dataDefaults(spec.kind).representativeMethod : undefined;
      const per = new Map<string, number>();
      for (const c of labels) per.set(c, (per.get(c) ?? 0) + 1);
      process.stdout.write(
        `wrote ${rows.length} examples (${o.strategy}) to ${o.out}: ` +
          [...per].map(([c, n]) => `${c} ${n}`).join(', ') +
          `\nlabels read to choose them: ${readToChoose}` +
          `\n${o.blank ? 'fill in the labels, then train' : 'train'} with: npx semigan train --data ${o.data}${o.imageSize ? ` --image-size ${o.imageSize}` : ''} --labels-csv ${o.out}${method ? ` --method ${method}` : ''}\n`,
      );
    });
}
