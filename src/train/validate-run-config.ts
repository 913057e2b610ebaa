import { parseDataSpec, type DataSpec } from '../data/spec.js';
import { UsageError } from '../errors.js';
import { presetByName, presetData } from '../experiments/presets.js';
import { augmentationProblem, augments } from './augment.js';
import { GAN_WEIGHTED_METHODS, METHOD_TERMS, parseMethod } from './methods.js';
import type { RunConfig } from './run-config.js';

/**
 * A run's settings checked before anything trains: every number in its range, the preset for this data, and the
 * terms and augmentation only with methods they can go with. Each problem is one UsageError line.
 */
export function validateRunConfig(c: RunConfig, spec: DataSpec = parseDataSpec(c.data)): RunConfig {
  parseMethod(c.method);
  for (const [k, v, min] of [
    ['labelsPerClass', c.labelsPerClass, 1],
    ['epochs', c.epochs, 1],
    ['checkpointEverySteps', c.checkpointEverySteps, 1],
    ['seed', c.seed, 0],
    ['steps', c.steps ?? 1, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new UsageError(`${k} must be an integer ≥ ${min}, got ${v}`);
  }
  if (c.preset !== undefined) {
    try {
      presetByName(c.preset);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const kind = presetData(c.preset);
    if (kind !== spec.kind) throw new UsageError(`preset ${c.preset} is for ${kind} data, not ${spec.kind}`);
  }
  checkSchedule(c);
  checkAugmentation(c, spec);
  checkTerms(c);
  checkOptimizer(c);
  return c;
}

/** The learning-rate decay and the consistency ramp-up: whole epochs, in order. */
function checkSchedule(c: RunConfig): void {
  const d = c.lrDecay;
  if (
    d &&
    !(
      Number.isInteger(d.startEpoch) &&
      d.startEpoch >= 0 &&
      Number.isInteger(d.endEpoch) &&
      d.endEpoch > d.startEpoch
    )
  )
    throw new UsageError(
      `the learning-rate decay must start at an epoch ≥ 0 before the last one, got epochs ${d.startEpoch} to ${d.endEpoch}`,
    );
  const ramp = c.consistencyRampup;
  if (ramp !== undefined && ramp !== 0) {
    if (!(Number.isInteger(ramp) && ramp > 0 && ramp <= 100_000))
      throw new UsageError(`the consistency ramp-up must be a whole number of epochs ≥ 0, got ${ramp}`);
    if (!(c.consistency! > 0) && !METHOD_TERMS[c.method]?.consistency)
      throw new UsageError('a consistency ramp-up needs a consistency weight: add --consistency W');
  }
}

function checkAugmentation(c: RunConfig, spec: DataSpec): void {
  const a = c.augment;
  if (augments(a) && spec.kind !== 'mnist' && spec.kind !== 'images')
    throw new UsageError(
      `augmentation (flips, shifts, rotations) needs image data (mnist: or images:), not ${c.data}`,
    );
  const augmentProblem = a && augmentationProblem(a);
  if (augmentProblem) throw new UsageError(augmentProblem);
}

/** The weights of the extra terms, and the methods they can go with. */
function checkTerms(c: RunConfig): void {
  const a = c.augment;
  if (c.consistency !== undefined) {
    if (!(c.consistency >= 0 && c.consistency <= 1000))
      throw new UsageError(`the consistency weight must be from 0 to 1000, got ${c.consistency}`);
    if (c.consistency > 0 && c.method === 'supervised')
      throw new UsageError(
        'the consistency term needs unlabeled data: use it with a GAN method, not supervised',
      );
    if (c.consistency > 0 && c.method === 'gan') throw noClassifier('the consistency term', 'klogit-fm+pi');
  }
  const pl = c.pseudoLabels;
  if (pl) {
    if (!(pl.weight >= 0 && pl.weight <= 1000))
      throw new UsageError(`the pseudo-label weight must be from 0 to 1000, got ${pl.weight}`);
    if (!(pl.threshold > 0 && pl.threshold <= 1))
      throw new UsageError(`the pseudo-label threshold must be in (0, 1], got ${pl.threshold}`);
    if (pl.weight > 0 && c.method === 'supervised')
      throw new UsageError('pseudo-labels need unlabeled data: use them with fixmatch or a GAN method');
    if (pl.weight > 0 && c.method === 'gan')
      throw noClassifier("FixMatch's pseudo-label term", 'klogit-fm+fixmatch');
  }
  if (c.ganWeight !== undefined) {
    if (!(c.ganWeight >= 0 && c.ganWeight <= 1000))
      throw new UsageError(`the GAN weight must be from 0 to 1000, got ${c.ganWeight}`);
    if (!GAN_WEIGHTED_METHODS.includes(c.method)) {
      // the method that adds the GAN to this one (the photos' default, fixmatch, has no GAN of its own)
      const withGan = GAN_WEIGHTED_METHODS.find((m) => m === `klogit-fm+${c.method}`) ?? 'klogit-fm';
      throw new UsageError(
        `--gan-weight scales the real/fake loss of a GAN method (${GAN_WEIGHTED_METHODS.join(', ')}); ${c.method} has none: use --method ${withGan}`,
      );
    }
  }
  // the pseudo-labels come from a weak view of the batch that --augment sets: strong there defeats the term
  if (a?.strong && (pl?.weight ?? METHOD_TERMS[c.method]?.pseudoLabels?.weight ?? 0) > 0)
    throw new UsageError(
      `--augment strong would make the weak view that pseudo-labels come from strong too; ${c.method} already trains on a strongly augmented view: leave strong out, or pick a method without FixMatch's term (e.g. klogit-fm)`,
    );
}

/** The plain GAN's D tells real from fake only: a term on its class predictions has nothing to act on. */
function noClassifier(term: string, instead: string): UsageError {
  return new UsageError(
    `${term} acts on a classifier's predictions, and the plain GAN (--method gan) has no classifier: use --method ${instead}`,
  );
}

function checkOptimizer(c: RunConfig): void {
  const o = c.optimizer ?? {};
  if (o.generatorLearningRate !== undefined && !(o.generatorLearningRate > 0))
    throw new UsageError(`the generator learning rate must be > 0, got ${o.generatorLearningRate}`);
  for (const [k, v] of [
    ['beta1', o.beta1],
    ['beta2', o.beta2],
    ['generatorBeta1', o.generatorBeta1],
  ] as const) {
    if (v !== undefined && !(v >= 0 && v < 1))
      throw new UsageError(`Adam's ${k} must be in [0, 1), got ${v}`);
  }
}
