import { IMAGES_DEFAULTS, type MethodName } from '../../src/core.js';

/** Every method a playground view may offer, with the name a reader meets it by: one table for both views. */
const METHOD_LABELS: Partial<Record<MethodName, string>> = {
  supervised: 'supervised only',
  gan: 'plain GAN (no labels)',
  kplus1: 'naive K+1',
  'kplus1-fm': 'K+1 + feature matching',
  klogit: 'K-logit',
  'klogit-fm': 'K-logit + feature matching',
  badgan: 'Bad GAN',
  fixmatch: 'FixMatch (no GAN)',
  'klogit-fm+fixmatch': 'K-logit + feature matching + FixMatch',
};
// a photo recipe that sets its own GAN weight names it; the worker applies it with the method
for (const [method, w] of Object.entries(IMAGES_DEFAULTS.ganWeights ?? {}))
  METHOD_LABELS[method as MethodName] += ` (GAN weight ${w})`;

/** The 2-D view tells the talk's story, baseline first: the plain GAN learning the rings, then the 2×2 heads. */
export const TOY_METHODS = [
  'supervised',
  'gan',
  'kplus1',
  'kplus1-fm',
  'klogit',
  'klogit-fm',
  'badgan',
] as const;
/** Photos: the baseline, the SSL-GAN, the strongest non-GAN term and the two together. */
export const IMAGE_METHODS = ['supervised', 'klogit-fm', 'fixmatch', 'klogit-fm+fixmatch'] as const;
/** What the photos view starts with: the CLI's default method for photos (docs/results.md compares them). */
export const IMAGE_DEFAULT_METHOD: MethodName = IMAGES_DEFAULTS.method;

/** Fills a method <select> (empty in the HTML) from the shared table, so the two views name methods alike. */
export function fillMethodSelect(
  select: HTMLSelectElement,
  methods: readonly MethodName[],
  selected: MethodName = 'klogit-fm',
): void {
  for (const value of methods) select.add(new Option(METHOD_LABELS[value], value, false, value === selected));
}
