import { makeToyDataset, type ToyName } from '../data/toy2d.js';
import { splitDataset, type LabeledSubsetRecord, type Split } from '../data/split.js';
import { Rng } from '../random.js';
import { toyPreset } from './presets.js';
import { makeObjective, type MethodName } from '../train/methods.js';
import { Trainer, type TrainConfig } from '../train/trainer.js';

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
  const objective = makeObjective(method, {
    unlabeledX: data.split.unlabeled.x,
    featureShape: data.split.featureShape,
  });
  const k = data.split.classNames.length;
  const rng = new Rng(o.seed * 7919 + 17);
  const preset = toyPreset(o.hidden);
  const d = preset.makeDiscriminator(objective, k, data.split.featureShape, rng);
  const g = objective.usesGenerator ? preset.makeGenerator(data.split.featureShape, rng) : undefined;
  const config: TrainConfig = {
    ...preset.train,
    batchSize: o.batchSize,
    labeledBatchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: o.seed,
    initExamples: preset.train.initExamples,
  };
  return new Trainer(objective, d, g, { ...data.split, numClasses: k }, config);
}
