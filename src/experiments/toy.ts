import { makeToyDataset, type ToyName } from '../data/toy2d.js';
import { splitDataset, type LabeledSubsetRecord, type Split } from '../data/split.js';
import { toyPreset } from './presets.js';
import type { MethodName } from '../train/methods.js';
import type { Trainer } from '../train/trainer.js';
import { makeTrainer } from './make-trainer.js';

export interface ToyExperimentOptions {
  dataset?: ToyName;
  seed?: number;
  labeledPerClass?: number;
  /** Training pool per class; every pool point is unlabeled data, labeled ones included. */
  unlabeledPerClass?: number;
  testPerClass?: number;
  noise?: number;
  steps?: number;
  learningRate?: number;
  batchSize?: number;
  hidden?: number[];
}

export const TOY_DEFAULTS = {
  dataset: 'rings' as ToyName,
  seed: 1,
  labeledPerClass: 4,
  unlabeledPerClass: 500,
  testPerClass: 500,
  steps: 1500,
  learningRate: 0.003,
  batchSize: 100,
  hidden: [64, 64],
};

export interface ToyData {
  split: Split;
  test: { x: Float32Array; y: Int32Array };
  record: LabeledSubsetRecord;
}

/** Pool and test set come from different seeds of the same distribution, so the test set is truly fresh. */
export function makeToyData(opts: ToyExperimentOptions = {}): ToyData {
  const o = { ...TOY_DEFAULTS, ...opts };
  const pool = makeToyDataset(o.dataset, { perClass: o.unlabeledPerClass, noise: o.noise, seed: o.seed });
  const test = makeToyDataset(o.dataset, {
    perClass: o.testPerClass,
    noise: o.noise,
    seed: o.seed + 1_000_003,
  });
  const split = splitDataset(pool, { labeledPerClass: o.labeledPerClass, seed: o.seed });
  return { split, test: { x: test.x, y: test.y }, record: split.record };
}

/** The nets and trainer for one method on 2-D data. The caller owns (and disposes) the trainer. */
export function makeToyTrainer(method: MethodName, data: ToyData, opts: ToyExperimentOptions = {}): Trainer {
  const o = { ...TOY_DEFAULTS, ...opts };
  return makeTrainer(method, toyPreset(o.hidden), data.split, {
    seed: o.seed,
    learningRate: o.learningRate,
    batchSize: o.batchSize,
  });
}
