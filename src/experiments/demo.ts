import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fakesInGap } from '../eval/fakes-in-gap.js';
import { boundsOf, type BoundaryPicture } from '../report/boundary-plot.js';
import { boundaryPng } from '../report/png.js';
import { storyHtml } from '../report/story-html.js';
import type { MethodName } from '../train/methods.js';
import { ensureWritableDir, writeFileAtomic } from '../util/fs.js';
import { boundaryPicture, realFakePicture } from './toy-pictures.js';
import { makeToyData, makeToyTrainer, TOY_DEFAULTS, type ToyData, type ToyExperimentOptions } from './toy.js';

/** The talk's sequence: the baseline, the plain GAN, the two heads, Improved GAN, Bad GAN. */
export const DEMO_METHODS: MethodName[] = ['supervised', 'gan', 'kplus1', 'klogit', 'klogit-fm', 'badgan'];

export interface DemoOptions extends ToyExperimentOptions {
  out: string;
  methods?: MethodName[];
  /** Called every `progressEvery` steps and at the end of each method. */
  onProgress?: (p: {
    method: MethodName;
    step: number;
    steps: number;
    /** True once the method is trained (then `accuracy` holds its test accuracy, if it classifies). */
    done?: boolean;
    accuracy?: number;
  }) => void;
  progressEvery?: number;
}

export interface MethodResult {
  /** Absent for the plain GAN, which does not classify. */
  testAccuracy?: number;
  /** Rings only, GAN methods only: the fraction of 500 generated points in the gap between the rings. */
  fakesInGap?: number;
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
  steps: number;
  labeledSubset: ToyData['record'];
  /** The pictures of the data alone: the labels, then the labels with the unlabeled points. */
  dataPictures: { labels: string; points: string };
  methods: Partial<Record<MethodName, MethodResult>>;
}

/** The data alone, no model: a white background, the labeled points and (optionally) the unlabeled ones. */
function dataPicture(data: ToyData, title: string, withUnlabeled: boolean): BoundaryPicture {
  const { split } = data;
  const k = split.classNames.length;
  return {
    title,
    bounds: boundsOf(split.unlabeled.x),
    res: 1,
    probs: new Float32Array(k).fill(1 / k),
    numClasses: k,
    classNames: split.classNames,
    unlabeled: withUnlabeled ? split.unlabeled.x : new Float32Array(0),
    labeled: split.labeled,
  };
}

/** Trains one method and draws it; the caller records the result. */
function runMethod(
  method: MethodName,
  data: ToyData,
  o: DemoOptions & typeof TOY_DEFAULTS,
  subtitle: string,
): { result: MethodResult; png: Buffer } {
  const t0 = performance.now();
  const trainer = makeToyTrainer(method, data, o);
  try {
    const every = o.progressEvery ?? 100;
    for (let s = 1; s <= o.steps; s++) {
      trainer.step();
      if (s % every === 0 && s < o.steps) o.onProgress?.({ method, step: s, steps: o.steps });
    }
    const classifies = trainer.objective.usesLabels;
    const testAccuracy = classifies ? trainer.evaluate(data.test.x, data.test.y) : undefined;
    const seconds = Number(((performance.now() - t0) / 1000).toFixed(2));
    o.onProgress?.({ method, step: o.steps, steps: o.steps, done: true, accuracy: testAccuracy });
    const gap =
      trainer.generator && o.dataset === 'rings' ? fakesInGap(trainer.sample(500), o.noise) : undefined;
    // short enough for the picture's title line
    const gapText = gap === undefined ? '' : `, ${(gap * 100).toFixed(0)}% fakes in gap`;
    const picture = classifies
      ? boundaryPicture(
          trainer,
          { ...data.split, unlabeled: data.split.unlabeled.x },
          `${method}: test acc ${(testAccuracy! * 100).toFixed(1)}%${gapText}`,
          subtitle,
        )
      : realFakePicture(trainer, data.split.unlabeled.x, `${method}: D's real/fake map${gapText}`, subtitle);
    const file = classifies ? `boundary-${method}.png` : `realfake-${method}.png`;
    const result = { testAccuracy, fakesInGap: gap, steps: o.steps, seconds, picture: file };
    return { result, png: boundaryPng(picture) };
  } finally {
    trainer.dispose();
  }
}

/**
 * The opening experiment: the same few labels, trained supervised-only and with SSL-GANs, each boundary
 * drawn. Writes the pictures, story.html (the talk told with this run's pictures), then result.json last
 * (its presence means complete).
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
    steps: o.steps,
    labeledSubset: data.record,
    dataPictures: { labels: 'labels.png', points: 'points.png' },
    methods: {},
  };
  const pngs = new Map<string, Buffer>();
  const write = (file: string, png: Buffer) => {
    writeFileAtomic(join(o.out, file), png);
    pngs.set(file, png);
  };
  const n = o.labeledPerClass * data.split.classNames.length;
  write('labels.png', boundaryPng(dataPicture(data, `${o.dataset}: ${n} labeled points`, false)));
  write(
    'points.png',
    boundaryPng(dataPicture(data, `${o.dataset}: ${n} labeled + ${result.unlabeled} unlabeled`, true)),
  );
  const runOf = `${result.unlabeled} unlabeled, seed ${o.seed}, ${o.steps} steps`;
  for (const method of methods) {
    // the plain GAN reads no label: its picture does not claim any
    const subtitle =
      method === 'gan'
        ? `${o.dataset}, no labels, ${runOf}`
        : `${o.dataset}, ${o.labeledPerClass} labels per class, ${runOf}`;
    const { result: r, png } = runMethod(method, data, o, subtitle);
    write(r.picture, png);
    result.methods[method] = r;
  }
  writeFileAtomic(join(o.out, 'story.html'), storyHtml(result, pngs));
  writeFileAtomic(join(o.out, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}
