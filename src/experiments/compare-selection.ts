import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { LabelOracle } from '../data/label-oracle.js';
import { DEFAULT_FEATURE_BUDGET } from '../data/learned-features.js';
import { formatLabelsCsv, type LabeledExample } from '../data/labels-csv.js';
import { SELECTION_VERSION, selectLabels, type SelectStrategy } from '../data/select-labels.js';
import { idsOf } from '../data/split.js';
import { writeFileAtomic } from '../util/fs.js';
import { sha256 } from '../util/sha256.js';

/** The labeled set a strategy picked, labeled through the oracle, and the labels that cost. */
export interface Selection {
  examples: LabeledExample[];
  labelsRead: number;
}

/** Everything a selection depends on: a saved one is reused only when all of it matches. */
interface SelectionKey {
  data: string;
  labels: number;
  select: SelectStrategy;
  seed: number;
  /** sha256 of the pool's example ids, in order: another folder, or another test split, picks again. */
  pool: string;
  version: number;
  /** The label-free feature net's budget, for the strategy that trains one. */
  features: unknown;
}

interface SavedSelection extends Selection {
  key: SelectionKey;
}

/**
 * One seed's labeled set for one strategy, saved as OUT/labels/<select>-seed<s>.csv (for people) and .json
 * (for reuse). A later call with the same key reads it back instead of selecting again: representative
 * selection trains a feature net for minutes, and on another CPU or kernel its float sums, and so its picks,
 * can differ; a resumed grid must keep the labels its runs started with. `onNote` says when one is redone.
 */
export function selectOrReuse(
  train: Dataset,
  data: string,
  labels: number,
  select: SelectStrategy,
  seed: number,
  out: string,
  hooks: { onSelectionStep?(step: number, total: number): void; onNote?(line: string): void },
): Selection {
  const key: SelectionKey = {
    data,
    labels,
    select,
    seed,
    pool: sha256(idsOf(train).join('\n')),
    version: SELECTION_VERSION,
    features: select === 'representative' ? DEFAULT_FEATURE_BUDGET : null,
  };
  const base = join(out, 'labels', `${select}-seed${seed}`);
  const saved = readSaved(`${base}.json`);
  if (saved && JSON.stringify(saved.key) === JSON.stringify(key)) {
    return { examples: saved.examples, labelsRead: saved.labelsRead };
  }
  if (saved)
    hooks.onNote?.(
      `${select} labels of seed ${seed}: the saved selection was made otherwise; selecting again`,
    );
  const oracle = new LabelOracle(train.y);
  const rows = selectLabels(train, labels, select, seed, oracle, '--labels', {
    onFeatureStep: hooks.onSelectionStep,
  });
  const ids = idsOf(train);
  // the person labels what the strategy picked: only these labels enter training
  const examples = rows.map((r) => ({ id: ids[r], label: train.classNames[oracle.label(r)] }));
  const selection = { examples, labelsRead: oracle.readIndices().length };
  // made once the first selection succeeded: a refused budget leaves no empty folder behind
  mkdirSync(join(out, 'labels'), { recursive: true });
  writeFileAtomic(`${base}.csv`, formatLabelsCsv(examples));
  writeFileAtomic(`${base}.json`, JSON.stringify({ key, ...selection } satisfies SavedSelection) + '\n');
  return selection;
}

function readSaved(file: string): SavedSelection | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as SavedSelection;
    return Array.isArray(s.examples) && typeof s.labelsRead === 'number' && s.key ? s : undefined;
  } catch {
    return undefined; // a damaged file is a selection to make again, not an error
  }
}
