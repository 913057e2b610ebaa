/**
 * What one call of bench/cats-dogs-100.ts trains, read from its environment: the settings, the levers, and the
 * names of its results file and of the files whose finished runs it may reuse. Every protocol other than the
 * default (64 px, 30 epochs, no validation labels, no lever, the bar's four methods, seeds 1–3) is tagged, so
 * that its runs and results never mix with another's.
 */
import type { SelectStrategy } from '../src/data/select-labels.js';
import { defaultGanWeights, IMAGES_DEFAULTS } from '../src/experiments/data-defaults.js';
import type { MethodName } from '../src/train/methods.js';
import { seedGroupTag, seedRole, tagValue } from './machine.js';

/** The bar's grid; any other method (the talk's heads ablation: kplus1, kplus1-fm, klogit) runs under '-heads'. */
export const BAR_METHODS: MethodName[] = ['supervised', 'fixmatch', 'klogit-fm', 'klogit-fm+fixmatch'];

export function catsDogsProtocol(env: NodeJS.ProcessEnv) {
  const size = Number(env.CD_SIZE ?? 64);
  const epochs = Number(env.CD_EPOCHS ?? 30);
  const validation = Number(env.CD_VALIDATION ?? 0);
  const seeds = (env.CD_SEEDS ?? '1,2,3').split(',').map(Number);
  const methods = (env.CD_METHODS ?? BAR_METHODS.join(',')).split(',') as MethodName[];
  const select = (env.CD_SELECT ?? 'random,representative').split(',') as SelectStrategy[];
  // levers, for every method alike: the strong augmentation policy, FixMatch's threshold, D's real/fake weight
  const augmentSpec = env.CD_AUGMENT;
  const threshold = env.CD_THRESHOLD === undefined ? undefined : Number(env.CD_THRESHOLD);
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1))
    throw new Error(`CD_THRESHOLD must be in (0, 1], got '${env.CD_THRESHOLD}'`);
  const ganWeight = env.CD_GAN_WEIGHT === undefined ? undefined : Number(env.CD_GAN_WEIGHT || NaN);
  if (ganWeight !== undefined && !(ganWeight >= 0))
    throw new Error(`CD_GAN_WEIGHT must be a weight ≥ 0, got '${env.CD_GAN_WEIGHT}'`);
  // without the lever each method trains as `semigan compare` trains it on photos: klogit-fm+fixmatch at its own
  // GAN weight (0.1), every other GAN method at 1
  const defaultWeights = defaultGanWeights(IMAGES_DEFAULTS);
  const weights = ganWeight ?? defaultWeights;
  const leverTag =
    (size === 64 ? '' : `-${size}px`) +
    (epochs === 30 ? '' : `-e${epochs}`) +
    (validation === 0 ? '' : `-val${validation}`) +
    (augmentSpec ? `-aug-${tagValue(augmentSpec)}` : '') +
    (threshold === undefined ? '' : `-tau${tagValue(String(threshold))}`);
  const weightTag = ganWeight === undefined ? '' : `-gw${tagValue(String(ganWeight))}`;
  // the heads ablation has its own file, so the bar's file is written once the bar's methods have their seeds
  const headsTag = methods.every((m) => BAR_METHODS.includes(m)) ? '' : '-heads';
  const barName = `cats-dogs-100${leverTag}${weightTag}${seedGroupTag(seeds)}`;
  const name = `cats-dogs-100${leverTag}${headsTag}${weightTag}${seedGroupTag(seeds)}`;
  // files whose finished runs this call may reuse where their settings match. Under a GAN weight, the methods it
  // leaves alone (supervised, fixmatch) are the same runs as without it; without one, the runs of a method with a
  // weight of its own (klogit-fm+fixmatch) are those of that weight's tagged file; the heads ablation shares the
  // bar's finished runs (its klogit-fm)
  const tagged = (w: number) => `cats-dogs-100${leverTag}-gw${tagValue(String(w))}${seedGroupTag(seeds)}`;
  const related = [
    ...(ganWeight === undefined
      ? Object.values(defaultWeights ?? {}).map(tagged)
      : [`cats-dogs-100${leverTag}${seedGroupTag(seeds)}`]),
    ...(headsTag ? [barName] : []),
  ];
  // what every results file of this bench says about its protocol
  const header = {
    seedRole: seedRole(seeds),
    imageSize: size,
    epochs,
    validationLabelsPerClass: validation,
    ...(augmentSpec ? { augment: augmentSpec } : {}),
    ...(threshold === undefined ? {} : { pseudoThreshold: threshold }),
    ...(weights === undefined ? {} : { ganWeight: weights }),
  };
  return {
    ...{ size, epochs, validation, seeds, methods, select, augmentSpec, threshold, ganWeight, weights },
    ...{ name, related, header },
  };
}
