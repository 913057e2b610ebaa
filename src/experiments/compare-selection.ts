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
  labels: number;
  select: SelectStrategy;
  seed: number;
  /**
   * sha256 of the pool's example ids and pixels: another folder, image size, test split or file content picks
   * again, while another spelling of the same folder or extra unlabeled images (selection never sees them) do not.
   */
  pool: string;
  version: number;
  /** The label-free feature net's budget, for the strategy that trains one. */
  features: unknown;
}

/** What is saved: the picked ids and what picking them cost; labels are read from the data on every use. */
interface SavedSelection {
  key: SelectionKey;
  ids: string[];
  labelsRead: number;
}

/**
 * One seed's labeled set for one strategy, saved as OUT/labels/<select>-seed<s>.csv (for people) and .json
 * (for reuse). A later call with the same key takes the saved ids instead of selecting again, and labels them
 * through the oracle as the first call did: representative selection trains a feature net for minutes, and on
 * another CPU or kernel its float sums, and so its picks, can differ; a resumed grid must keep the labels its
 * runs started with. `onNote` says when a saved set is not used.
 */
export async function selectOrReuse(
  train: Dataset,
  labels: number,
  select: SelectStrategy,
  seed: number,
  out: string,
  hooks: {
    onSelectionStep?(step: number, total: number): void;
    onNote?(line: string): void;
    shouldStop?(): boolean;
  },
): Promise<Selection> {
  const ids = idsOf(train);
  const key: SelectionKey = {
    labels,
    select,
    seed,
    pool: sha256(
      ids.join('\n') + '\n' + sha256(new Uint8Array(train.x.buffer, train.x.byteOffset, train.x.byteLength)),
    ),
    version: SELECTION_VERSION,
    features: select === 'representative' ? DEFAULT_FEATURE_BUDGET : null,
  };
  const base = join(out, 'labels', `${select}-seed${seed}`);
  const oracle = new LabelOracle(train.y);
  // the person labels what the strategy picked: only these labels enter training
  const labelled = (rows: number[]) =>
    rows.map((r) => ({ id: ids[r], label: train.classNames[oracle.label(r)] }));
  const saved = readSaved(`${base}.json`);
  const rowOf = new Map(ids.map((id, r) => [id, r]));
  const savedRows = saved?.ids.map((id) => rowOf.get(id));
  if (saved && JSON.stringify(saved.key) === JSON.stringify(key) && savedRows?.length === labels) {
    if (savedRows.every((r) => r !== undefined))
      return { examples: labelled(savedRows), labelsRead: saved.labelsRead };
  }
  if (saved)
    hooks.onNote?.(
      `${select} labels of seed ${seed}: the saved selection was made otherwise; selecting again`,
    );
  const rows = await selectLabels(train, labels, select, seed, oracle, '--labels', {
    onFeatureStep: hooks.onSelectionStep,
    shouldStop: hooks.shouldStop,
  });
  const examples = labelled(rows);
  const selection = { examples, labelsRead: oracle.readIndices().length };
  // made once the first selection succeeded: a refused budget leaves no empty folder behind
  mkdirSync(join(out, 'labels'), { recursive: true });
  writeFileAtomic(`${base}.csv`, formatLabelsCsv(examples));
  const record: SavedSelection = { key, ids: examples.map((e) => e.id), labelsRead: selection.labelsRead };
  writeFileAtomic(`${base}.json`, JSON.stringify(record) + '\n');
  return selection;
}

function readSaved(file: string): SavedSelection | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as SavedSelection;
    return Array.isArray(s.ids) && typeof s.labelsRead === 'number' && s.key ? s : undefined;
  } catch {
    return undefined; // a damaged file is a selection to make again, not an error
  }
}
