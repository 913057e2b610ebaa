import { UsageError } from '../errors.js';
import { Rng } from '../random.js';
import { sha256 } from '../util/sha256.js';
import { exampleCount, featureSize, takeRows, type Dataset } from './dataset.js';
import { LabelOracle } from './label-oracle.js';

/** Examples with labels the trainer may read. */
export interface LabeledSet {
  x: Float32Array;
  y: Int32Array;
  ids: string[];
}

/** Examples whose labels the trainer must never see: the type has no `y`. */
export interface UnlabeledSet {
  x: Float32Array;
  ids: string[];
}

/** What every run writes about its labels, so a claim of "100 labels" can be checked. */
export interface LabeledSubsetRecord {
  count: number;
  perClass: Record<string, number>;
  /** sha256 of the sorted labeled ids joined by newlines. */
  idsSha256: string;
  seed: number;
  /** Labels read for a held-out validation set (early stopping), beyond the labeled training examples. */
  validationLabels?: number;
  /**
   * Distinct labels this split used: the labeled examples (read here, or given by a labels CSV or a selector)
   * and every label read to fill the classes of the labeled and validation sets. Absent in older runs.
   */
  labelsRead?: number;
}

export interface Split {
  featureShape: number[];
  classNames: string[];
  labeled: LabeledSet;
  unlabeled: UnlabeledSet;
  validation: LabeledSet;
  record: LabeledSubsetRecord;
}

export interface SplitOptions {
  /** Labeled examples drawn per class (balanced). */
  labeledPerClass: number;
  /** Held-out labeled examples per class for early stopping / model selection; 0 by default. */
  validationPerClass?: number;
  seed: number;
  /** Choose these rows as the labeled set instead of drawing them (e.g. from a labels CSV or a selector). */
  labeledRows?: number[];
  /** With labeledRows: their labels as the user gave them (a labels CSV); otherwise read from the data. */
  labeledY?: number[];
  /**
   * Whether the labeled examples also appear in the unlabeled set (as in Improved GAN, where the unlabeled
   * loss runs over the whole training set). Default true.
   */
  unlabeledIncludesLabeled?: boolean;
}

export function idsOf(d: Dataset): string[] {
  return d.ids ?? Array.from({ length: exampleCount(d) }, (_, i) => String(i));
}

export function labeledRecord(
  ids: string[],
  y: Int32Array,
  classNames: string[],
  seed: number,
): LabeledSubsetRecord {
  const perClass: Record<string, number> = Object.fromEntries(classNames.map((c) => [c, 0]));
  for (const c of y) perClass[classNames[c]]++;
  return { count: ids.length, perClass, idsSha256: sha256([...ids].sort().join('\n')), seed };
}

/**
 * Splits a training pool into labeled / unlabeled / validation parts. Labels are read through a
 * LabelOracle only to choose the balanced subsets; pass one in to audit the reads.
 */
export function splitDataset(d: Dataset, opts: SplitOptions, oracle = new LabelOracle(d.y)): Split {
  // the reads of this split alone, whatever the oracle saw before
  const read = new Set<number>();
  const label = (i: number) => {
    read.add(i);
    return oracle.label(i);
  };
  const n = exampleCount(d);
  const k = d.classNames.length;
  const rowSize = featureSize(d.featureShape);
  const ids = idsOf(d);
  const rng = new Rng(opts.seed);
  const order = rng.permutation(n);
  const valPer = opts.validationPerClass ?? 0;
  if (!opts.labeledRows && (!Number.isInteger(opts.labeledPerClass) || opts.labeledPerClass < 1)) {
    throw new UsageError(`labels per class must be a positive integer, got ${opts.labeledPerClass}`);
  }

  const byClass: number[][] = Array.from({ length: k }, () => []);
  const labeledRows: number[] = [];
  const validationRows: number[] = [];
  const explicit = opts.labeledRows ? new Set(opts.labeledRows) : null;
  if (opts.labeledRows) labeledRows.push(...opts.labeledRows);
  const need = valPer + (explicit ? 0 : opts.labeledPerClass);
  // Read labels in random order and stop once every class is filled, as a person labeling would.
  let open = need > 0 ? k : 0;
  for (let j = 0; j < n && open > 0; j++) {
    const i = order[j];
    if (explicit?.has(i)) continue;
    const c = label(i);
    if (byClass[c].length < need && byClass[c].push(i) === need) open--;
  }
  for (let c = 0; c < k; c++) {
    if (byClass[c].length < need) {
      throw new UsageError(
        `class '${d.classNames[c]}' has ${byClass[c].length} examples but ${need} are needed ` +
          `(${[...(explicit ? [] : [`${opts.labeledPerClass} labeled`]), ...(valPer ? [`${valPer} validation`] : [])].join(' + ')}): ` +
          `ask for fewer (${valPer ? '--validation' : '--labels'})`,
      );
    }
    validationRows.push(...byClass[c].slice(0, valPer));
    if (!explicit) labeledRows.push(...byClass[c].slice(valPer, valPer + opts.labeledPerClass));
  }
  const held = new Set(validationRows);
  const labeledSet = new Set(labeledRows);
  const includeLabeled = opts.unlabeledIncludesLabeled ?? true;
  const unlabeledRows = Array.from(order).filter(
    (i) => !held.has(i) && (includeLabeled || !labeledSet.has(i)),
  );

  const labeledY = opts.labeledY
    ? Int32Array.from(opts.labeledY)
    : Int32Array.from(labeledRows, (i) => label(i));
  const labeledIds = labeledRows.map((i) => ids[i]);
  const validationY = Int32Array.from(validationRows, (i) => label(i));
  // labels given from outside (a CSV, a selector) were read there: they count as read once each
  if (opts.labeledY) for (const i of labeledRows) read.add(i);
  return {
    featureShape: d.featureShape.slice(),
    classNames: d.classNames.slice(),
    labeled: { x: takeRows(d.x, rowSize, labeledRows), y: labeledY, ids: labeledIds },
    unlabeled: { x: takeRows(d.x, rowSize, unlabeledRows), ids: unlabeledRows.map((i) => ids[i]) },
    validation: {
      x: takeRows(d.x, rowSize, validationRows),
      y: validationY,
      ids: validationRows.map((i) => ids[i]),
    },
    record: {
      ...labeledRecord(labeledIds, labeledY, d.classNames, opts.seed),
      ...(validationRows.length ? { validationLabels: validationRows.length } : {}),
      labelsRead: read.size,
    },
  };
}
