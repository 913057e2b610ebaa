import * as tf from '@tensorflow/tfjs';
import type { LabeledSet } from '../data/split.js';
import { predictProbabilities } from '../eval/predict.js';
import { boundsOf, gridPoints, type BoundaryPicture } from '../report/boundary-plot.js';
import type { Trainer } from '../train/trainer.js';

/** What a 2-D picture shows besides the trained nets: the class names and the points. */
export interface ToyPoints {
  classNames: string[];
  unlabeled: Float32Array;
  labeled: LabeledSet;
}

const RES = 120;

/** Picture of one trained classifier: boundary heat map, the points, and 500 generated samples. */
export function boundaryPicture(
  trainer: Trainer,
  points: ToyPoints,
  title: string,
  subtitle: string,
): BoundaryPicture {
  const bounds = boundsOf(points.unlabeled);
  const { probs, numClasses } = predictProbabilities(
    trainer.discriminator,
    trainer.objective,
    gridPoints(bounds, RES),
  );
  return {
    title,
    subtitle,
    bounds,
    res: RES,
    probs,
    numClasses,
    classNames: points.classNames,
    unlabeled: points.unlabeled,
    labeled: points.labeled,
    generated: trainer.generator ? trainer.sample(500) : undefined,
  };
}

/** The names of the two regions of a plain GAN's map, in the order `realFakeProbabilities` gives them. */
export const REAL_FAKE_NAMES = ['D: real', 'D: fake'];

/**
 * A plain GAN's D on 2-D points: per point [P(real), P(fake)] (its one logit through a sigmoid), laid out
 * as two-class probabilities so the class heat maps can draw it.
 */
export function realFakeProbabilities(trainer: Trainer, points: Float32Array): Float32Array {
  const n = points.length / 2;
  const real = tf.tidy(() => tf.sigmoid(trainer.discriminator.forward(tf.tensor2d(points, [n, 2])).logits));
  const p = real.dataSync();
  real.dispose();
  const probs = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) [probs[2 * i], probs[2 * i + 1]] = [p[i], 1 - p[i]];
  return probs;
}

/**
 * Picture of a plain GAN on 2-D data: where D says "real" and where "fake" (its one logit through a
 * sigmoid), the real points and 500 generated ones. No labels take part.
 */
export function realFakePicture(
  trainer: Trainer,
  unlabeled: Float32Array,
  title: string,
  subtitle: string,
): BoundaryPicture {
  const bounds = boundsOf(unlabeled);
  const probs = realFakeProbabilities(trainer, gridPoints(bounds, RES));
  return {
    title,
    subtitle,
    bounds,
    res: RES,
    probs,
    numClasses: 2,
    classNames: REAL_FAKE_NAMES,
    regionLegend: true,
    unlabeled,
    labeled: { x: new Float32Array(0), y: new Int32Array(0) },
    generated: trainer.sample(500),
  };
}
