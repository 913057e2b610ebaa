import { didYouMean } from '../util/closest.js';
import { UsageError } from '../errors.js';
import { badGan } from '../objectives/bad-gan.js';
import { kernelDensity } from '../objectives/density.js';
import { withFeatureMatching } from '../objectives/feature-matching.js';
import { kLogit } from '../objectives/klogit.js';
import { kPlusOne } from '../objectives/kplus1.js';
import { minimax } from '../objectives/minimax.js';
import type { Objective } from '../objectives/objective.js';
import { supervised } from '../objectives/supervised.js';
import { withConsistency } from '../objectives/consistency.js';
import { withPseudoLabels, type PseudoLabelOptions } from '../objectives/pseudo-label.js';

/** Every training method semigan offers, by the name the CLI and result files use. */
export const METHODS = {
  supervised: () => supervised(),
  kplus1: (_ctx?: ObjectiveContext, g: GanTerm = {}) => kPlusOne(g),
  'kplus1-fm': (_ctx?: ObjectiveContext, g: GanTerm = {}) => withFeatureMatching(kPlusOne(g)),
  klogit: (_ctx?: ObjectiveContext, g: GanTerm = {}) => kLogit(g),
  'klogit-fm': (_ctx?: ObjectiveContext, g: GanTerm = {}) => withFeatureMatching(kLogit(g)),
  badgan: (ctx?: ObjectiveContext, g: GanTerm = {}) =>
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
            ...g,
          }
        : g,
    ),
  gan: () => minimax(),
  // no generator: the unlabeled images enter only through the term each adds (UNLABELED_TERMS)
  pi: () => supervised(),
  fixmatch: () => supervised(),
  // GAN + consistency or pseudo-labels (CT-GAN's idea): the SSL-GAN with one of those terms on D
  'klogit-fm+pi': (_ctx?: ObjectiveContext, g: GanTerm = {}) => withFeatureMatching(kLogit(g)),
  'klogit-fm+fixmatch': (_ctx?: ObjectiveContext, g: GanTerm = {}) => withFeatureMatching(kLogit(g)),
} satisfies Record<string, (ctx?: ObjectiveContext, g?: GanTerm) => Objective>;

/** The weight of D's unsupervised real/fake part against its labeled cross-entropy (default 1). */
export interface GanTerm {
  unlabeledWeight?: number;
}

/** The methods whose discriminator has a real/fake part that --gan-weight scales. */
export const GAN_WEIGHTED_METHODS: readonly MethodName[] = [
  'kplus1',
  'kplus1-fm',
  'klogit',
  'klogit-fm',
  'badgan',
  'klogit-fm+pi',
  'klogit-fm+fixmatch',
];

/** Whether `method` trains a generator (a loss and samples to show). */
export function hasGenerator(method: MethodName): boolean {
  return method === 'gan' || GAN_WEIGHTED_METHODS.includes(method);
}

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
  pi: 'Π-model (Laine & Aila 2017): two augmented views of each unlabeled image agree; no generator',
  fixmatch:
    'FixMatch (Sohn et al. 2020): confident predictions on a weak view train a strongly augmented view; no generator',
  'klogit-fm+pi': 'klogit-fm with the Π-model term on D (GAN + consistency, as CT-GAN)',
  'klogit-fm+fixmatch': "klogit-fm with FixMatch's pseudo-label term on D (GAN + pseudo-labels)",
};

/** The unlabeled terms a run adds to its method's objective: the Π-model's and FixMatch's. */
export interface UnlabeledTerms {
  /** Weight of the Π-model consistency term (0 or absent: off). */
  consistency?: number;
  /** FixMatch's pseudo-label term (weight 0 or absent: off). */
  pseudoLabels?: PseudoLabelOptions;
  /** Weight of the GAN's own unlabeled term, D's real/fake loss (absent: 1). */
  ganWeight?: number;
}

/** The unlabeled term each method has on by default (pi, fixmatch and the GAN + term methods). */
export const METHOD_TERMS: Partial<Record<MethodName, UnlabeledTerms>> = {
  pi: { consistency: 1 },
  fixmatch: { pseudoLabels: { weight: 1, threshold: 0.95 } },
  'klogit-fm+pi': { consistency: 1 },
  'klogit-fm+fixmatch': { pseudoLabels: { weight: 1, threshold: 0.95 } },
};

/** The methods that have FixMatch's pseudo-label term by default. */
export const PSEUDO_LABEL_METHODS = (Object.keys(METHOD_TERMS) as MethodName[]).filter(
  (m) => METHOD_TERMS[m]?.pseudoLabels,
);

/** FixMatch's defaults (λu = 1, τ = 0.95), for a run that adds pseudo-labels to another method. */
export const DEFAULT_PSEUDO_LABELS: PseudoLabelOptions = { weight: 1, threshold: 0.95 };

export function parseMethod(name: string): MethodName {
  if (name in METHODS) return name as MethodName;
  const names = Object.keys(METHODS);
  throw new UsageError(
    `unknown method '${name}'${didYouMean(name, names)} (choose one of: ${names.join(', ')})`,
  );
}

export function makeObjective(
  name: MethodName,
  ctx?: ObjectiveContext,
  terms: UnlabeledTerms = {},
): Objective {
  const t = { ...METHOD_TERMS[name], ...terms };
  const gan = t.ganWeight === undefined ? {} : { unlabeledWeight: t.ganWeight };
  let o: Objective = METHODS[name](ctx, gan);
  if (t.consistency) o = withConsistency(o, t.consistency);
  if (t.pseudoLabels?.weight) o = withPseudoLabels(o, t.pseudoLabels);
  // the registry name wins: a composed objective keeps the name the CLI and result files use
  return { ...o, name };
}
