import type { TrainSettings } from './protocol.js';

/** The methods both playground views offer, in the order a reader meets them: baseline first. */
const METHOD_LABELS: Record<TrainSettings['method'], string> = {
  supervised: 'supervised only',
  kplus1: 'naive K+1',
  klogit: 'K-logit',
  'klogit-fm': 'K-logit + feature matching',
  badgan: 'Bad GAN',
};

/** Fills a method <select> (empty in the HTML) so the two views cannot drift apart. */
export function fillMethodSelect(
  select: HTMLSelectElement,
  selected: TrainSettings['method'] = 'klogit-fm',
): void {
  for (const [value, label] of Object.entries(METHOD_LABELS))
    select.add(new Option(label, value, false, value === selected));
}
