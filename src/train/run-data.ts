import { loadData, type DataSpec, type LoadedData } from '../data/spec.js';
import { idsOf, splitDataset, type Split } from '../data/split.js';
import { UsageError } from '../errors.js';
import type { RunConfig, RunHooks } from './run-config.js';

/** What a run trains and is measured on: its split of the training data and the test rows it evaluates. */
export interface RunData {
  split: Split;
  testX: Float32Array;
  testY: Int32Array;
}

/** Stage 1 (load): the run's data, read once from its parsed spec. */
export function loadRunData(config: RunConfig, spec: DataSpec, hooks: RunHooks): Promise<LoadedData> {
  return loadData(spec, config.seed, undefined, {
    onWarning: hooks.onWarning,
    onProgress: hooks.onLoadProgress,
  });
}

/**
 * Stage 2 (split): the labeled, unlabeled and validation sets the config asks for, plus the test rows each
 * epoch is evaluated on (the first `testLimit`, when set).
 */
export function splitRunData(config: RunConfig, data: LoadedData): RunData {
  const { train, test, extraUnlabeled } = data;
  const split = splitDataset(train, {
    labeledPerClass: config.labelsPerClass,
    seed: config.seed,
    validationPerClass: config.validationPerClass ?? 0,
    ...(config.labeledExamples ? chosenLabels(config.labeledExamples, idsOf(train), train.classNames) : {}),
  });
  if (extraUnlabeled) {
    // examples from a folder without classes join the unlabeled set only: they have no label to read
    const x = new Float32Array(split.unlabeled.x.length + extraUnlabeled.x.length);
    x.set(split.unlabeled.x);
    x.set(extraUnlabeled.x, split.unlabeled.x.length);
    split.unlabeled = { x, ids: [...split.unlabeled.ids, ...extraUnlabeled.ids] };
  }
  const testRows = config.testLimit ? Math.min(config.testLimit, test.y.length) : test.y.length;
  const rowSize = test.x.length / test.y.length;
  return {
    split,
    testX: test.x.subarray(0, testRows * rowSize),
    testY: test.y.subarray(0, testRows),
  };
}

/** Rows and class indices of the labeled examples a labels CSV or selector named (already validated). */
function chosenLabels(
  examples: { id: string; label: string }[],
  ids: string[],
  classNames: string[],
): { labeledRows: number[]; labeledY: number[] } {
  const row = new Map(ids.map((id, i) => [id, i]));
  const labeledRows: number[] = [];
  const labeledY: number[] = [];
  for (const e of examples) {
    const r = row.get(e.id);
    const c = classNames.indexOf(e.label);
    if (r === undefined) throw new UsageError(`labeled example '${e.id}' is not in the training data`);
    if (c < 0) throw new UsageError(`labeled example '${e.id}' has unknown class '${e.label}'`);
    labeledRows.push(r);
    labeledY.push(c);
  }
  return { labeledRows, labeledY };
}
