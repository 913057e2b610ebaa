import { UsageError } from '../errors.js';
import { badGan } from '../objectives/bad-gan.js';
import { kernelDensity } from '../objectives/density.js';
import { withFeatureMatching } from '../objectives/feature-matching.js';
import { kLogit } from '../objectives/klogit.js';
import { kPlusOne } from '../objectives/kplus1.js';
import { minimax } from '../objectives/minimax.js';
import type { Objective } from '../objectives/objective.js';
import { supervised } from '../objectives/supervised.js';

/** Every training method semigan offers, by the name the CLI and result files use. */
export const METHODS = {
  supervised: () => supervised(),
  kplus1: () => kPlusOne(),
  'kplus1-fm': () => withFeatureMatching(kPlusOne()),
  klogit: () => kLogit(),
  'klogit-fm': () => withFeatureMatching(kLogit()),
  badgan: (ctx?: ObjectiveContext) =>
    badGan(
      ctx && ctx.featureShape.length === 1 && ctx.featureShape[0] <= 8
        ? // measured on the rings, 1500 steps (bench/results/rings-gap.json): the entropy term locks in early
          // wrong decisions with 4 labels; a KDE as sharp as the rings' noise (h 0.1, not Scott's ≈0.35, which
          // blurs the gap into "dense") with a support floor 5 nats below its threshold puts the fakes in the gap
          {
            entropyWeight: 0,
            lowDensityWeight: 1,
            supportFloor: 5,
            density: kernelDensity(ctx.unlabeledX, ctx.featureShape[0], 0.1),
          }
        : {},
    ),
  gan: () => minimax(),
} satisfies Record<string, (ctx?: ObjectiveContext) => Objective>;

/**
 * What some objectives need from the data: Bad GAN's low-density penalty uses a kernel density estimate of
 * the unlabeled set when the data is low-dimensional (for images it would need a PixelCNN; weight 0 there).
 */
export interface ObjectiveContext {
  unlabeledX: Float32Array;
  featureShape: number[];
}

export type MethodName = keyof typeof METHODS;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/** The methods that train a classifier (all but the plain GAN): what the CLI's --method options accept. */
export const CLASSIFIER_METHODS = (Object.keys(METHODS) as MethodName[]).filter((m) => m !== 'gan');

export const METHOD_DESCRIPTIONS: Record<MethodName, string> = {
  supervised: 'cross-entropy on the labeled examples only (baseline)',
  kplus1: 'naive K+1 head as the talk ran it: an extra free "fake" logit, non-saturating generator',
  'kplus1-fm': 'naive K+1 head with a feature-matching generator',
  klogit: 'K logits with D(x)=Z/(Z+1) (Salimans et al. 2016), non-saturating generator',
  'klogit-fm': 'K logits with D(x)=Z/(Z+1) and a feature-matching generator (Improved GAN)',
  badgan:
    'Bad GAN (Dai et al. 2017): complement generator (feature matching + pull-away + low density), entropy on unlabeled',
  gan: 'plain GAN (Goodfellow et al. 2014): generates, does not classify',
};

export function parseMethod(name: string): MethodName {
  if (name in METHODS) return name as MethodName;
  throw new UsageError(`unknown method '${name}' (choose one of: ${Object.keys(METHODS).join(', ')})`);
}

export function makeObjective(name: MethodName, ctx?: ObjectiveContext): Objective {
  const o = METHODS[name](ctx);
  // the registry name wins: a composed objective keeps the name the CLI and result files use
  return { ...o, name };
}
