import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { predictProbabilities } from '../eval/predict.js';
import { boundsOf, gridPoints, type BoundaryPicture } from '../report/boundary-plot.js';
import { boundaryPng } from '../report/png.js';
import type { MethodName } from '../train/methods.js';
import type { Trainer } from '../train/trainer.js';
import { ensureWritableDir, writeFileAtomic } from '../util/fs.js';
import { makeToyData, makeToyTrainer, TOY_DEFAULTS, type ToyData, type ToyExperimentOptions } from './toy.js';

export const DEMO_METHODS: MethodName[] = ['supervised', 'kplus1', 'klogit-fm', 'badgan'];

export interface DemoOptions extends ToyExperimentOptions {
  out: string;
  methods?: MethodName[];
  /** Called every `progressEvery` steps and at the end of each method. */
  onProgress?: (p: { method: MethodName; step: number; steps: number; accuracy?: number }) => void;
  progressEvery?: number;
}

export interface MethodResult {
  testAccuracy: number;
  steps: number;
  seconds: number;
  picture: string;
}

export interface DemoResult {
  dataset: string;
  seed: number;
  backend: string;
  labeledPerClass: number;
  unlabeled: number;
  testExamples: number;
  labeledSubset: ToyData['record'];
  methods: Partial<Record<MethodName, MethodResult>>;
}

/** Picture of one trained method: boundary heat map, the points, and 500 generated samples. */
export function boundaryPicture(
  trainer: Trainer,
  data: ToyData,
  title: string,
  subtitle: string,
): BoundaryPicture {
  const bounds = boundsOf(data.split.unlabeled.x);
  const res = 120;
  const { probs, numClasses } = predictProbabilities(
    trainer.discriminator,
    trainer.objective,
    gridPoints(bounds, res),
  );
  return {
    title,
    subtitle,
    bounds,
    res,
    probs,
    numClasses,
    classNames: data.split.classNames,
    unlabeled: data.split.unlabeled.x,
    labeled: data.split.labeled,
    generated: trainer.generator ? trainer.sample(500) : undefined,
  };
}

/**
 * The opening experiment: the same few labels, trained supervised-only and with SSL-GANs, each boundary
 * drawn. Writes boundary-<method>.png per method, then result.json last (its presence means complete).
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const o = { ...TOY_DEFAULTS, ...opts };
  const methods = opts.methods ?? DEMO_METHODS;
  ensureWritableDir(o.out);
  const data = makeToyData(o);
  const result: DemoResult = {
    dataset: o.dataset,
    seed: o.seed,
    backend: tf.getBackend(),
    labeledPerClass: o.labeledPerClass,
    unlabeled: data.split.unlabeled.ids.length,
    testExamples: data.test.y.length,
    labeledSubset: data.record,
    methods: {},
  };
  const every = opts.progressEvery ?? 100;
  for (const method of methods) {
    const t0 = performance.now();
    const trainer = makeToyTrainer(method, data, o);
    try {
      for (let s = 1; s <= o.steps; s++) {
        trainer.step();
        if (s % every === 0 && s < o.steps) opts.onProgress?.({ method, step: s, steps: o.steps });
      }
      const testAccuracy = trainer.evaluate(data.test.x, data.test.y);
      const seconds = (performance.now() - t0) / 1000;
      opts.onProgress?.({ method, step: o.steps, steps: o.steps, accuracy: testAccuracy });
      const picture = `boundary-${method}.png`;
      const title = `${method}: test accuracy ${(testAccuracy * 100).toFixed(1)}%`;
      const subtitle = `${o.dataset}, ${o.labeledPerClass} labels per class, ${result.unlabeled} unlabeled, seed ${o.seed}, ${o.steps} steps`;
      writeFileAtomic(join(o.out, picture), boundaryPng(boundaryPicture(trainer, data, title, subtitle)));
      result.methods[method] = { testAccuracy, steps: o.steps, seconds: Number(seconds.toFixed(2)), picture };
    } finally {
      trainer.dispose();
    }
  }
  writeFileAtomic(join(o.out, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}
