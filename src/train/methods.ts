import { UsageError } from '../errors.js';
import { withFeatureMatching } from '../objectives/feature-matching.js';
import { kLogit } from '../objectives/klogit.js';
import { kPlusOne } from '../objectives/kplus1.js';
import { minimax } from '../objectives/minimax.js';
import type { Objective } from '../objectives/objective.js';
import { supervised } from '../objectives/supervised.js';

/** Every training method semigan offers, by the name the CLI and result files use. */
export const METHODS = {
  supervised: () => supervised(),
  kplus1: () => withFeatureMatching(kPlusOne()),
  klogit: () => kLogit(),
  'klogit-fm': () => withFeatureMatching(kLogit()),
  gan: () => minimax(),
} satisfies Record<string, () => Objective>;

export type MethodName = keyof typeof METHODS;

export const METHOD_DESCRIPTIONS: Record<MethodName, string> = {
  supervised: 'cross-entropy on the labeled examples only (baseline)',
  kplus1: 'naive K+1 head: an extra free "fake" logit, feature-matching generator',
  klogit: 'K logits with D(x)=Z/(Z+1) (Salimans et al. 2016), non-saturating generator',
  'klogit-fm': 'K logits with D(x)=Z/(Z+1) and a feature-matching generator (Improved GAN)',
  gan: 'plain GAN (Goodfellow et al. 2014): generates, does not classify',
};

export function parseMethod(name: string): MethodName {
  if (name in METHODS) return name as MethodName;
  throw new UsageError(`unknown method '${name}' (choose one of: ${Object.keys(METHODS).join(', ')})`);
}

export function makeObjective(name: MethodName): Objective {
  const o = METHODS[name]();
  // the registry name wins: kplus1 is "kplus1" on the CLI even though it composes feature matching
  return { ...o, name };
}
