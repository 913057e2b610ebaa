import { UsageError } from '../errors.js';
import { sha256 } from '../util/sha256.js';
import type { Augmentation } from './augment.js';
import type { LabeledExample } from '../data/labels-csv.js';
import type { RunConfig } from './run-config.js';
import { METHOD_TERMS } from './methods.js';

/**
 * Settings a resumed run may change: how long it goes on and how it is guarded against divergence. Every
 * other setting decides what the run learns or how it is measured, so a resume must keep it.
 */
export const CHANGEABLE_ON_RESUME: readonly string[] = [
  'epochs',
  'steps',
  'checkpointEverySteps',
  'maxRollbacks',
  'collapseSteps',
];

/** Settings whose default, given or left out, is the same run (the GAN weight 1). */
const SAME_AS_ABSENT: Record<string, unknown> = { ganWeight: 1 };

/** Settings where 0 (or false) means off, as leaving them out does. */
const OFF_WHEN_ZERO = new Set([
  'consistency',
  'consistencyRampup',
  'validationPerClass',
  'testLimit',
  'selectBest',
]);

export interface SettingConflict {
  /** The setting as metrics.json names it, e.g. `method` or `optimizer.beta1`. */
  key: string;
  /** Its value in the caller's settings and in the checkpoint, as a person reads them. */
  requested: string;
  stored: string;
}

const NOT_SET = 'the default';

/**
 * The first setting in which `requested` contradicts the run's `stored` config (only among `keys` when given),
 * ignoring the settings a resume may change.
 */
export function settingConflict(
  stored: RunConfig,
  requested: RunConfig,
  keys?: readonly string[],
): SettingConflict | undefined {
  const [a, b] = [settingValues(stored), settingValues(requested)];
  for (const key of keys ?? [...new Set([...a.keys(), ...b.keys()])]) {
    const [s, r] = [a.get(key), b.get(key)];
    if (s?.json !== r?.json) return { key, requested: r?.shown ?? NOT_SET, stored: s?.shown ?? NOT_SET };
  }
  return undefined;
}

/** Refuses to resume the run in `dir` with settings that contradict its checkpoint's. */
export function checkResumeSettings(dir: string, stored: RunConfig, requested: RunConfig): void {
  const c = settingConflict(stored, requested);
  if (!c) return;
  throw new UsageError(
    `cannot resume ${dir} with other settings: ${c.key} is ${c.requested} now but ${c.stored} in its checkpoint ` +
      `(a resume may change only ${CHANGEABLE_ON_RESUME.join(', ')}); start a new run in another directory instead`,
  );
}

/** Each setting by dotted key, as JSON to compare and as text to show. */
function settingValues(c: RunConfig): Map<string, { json: string; shown: string }> {
  const out = new Map<string, { json: string; shown: string }>();
  const put = (key: string, v: unknown, shown = String(v)) => {
    if (v !== undefined) out.set(key, { json: JSON.stringify(v), shown });
  };
  for (const [k, v] of Object.entries(c)) {
    if (CHANGEABLE_ON_RESUME.includes(k) || (OFF_WHEN_ZERO.has(k) && !v)) continue;
    if (k in SAME_AS_ABSENT && v === SAME_AS_ABSENT[k]) continue;
    // FixMatch's term: only what differs from the method's own default (`--pseudo-threshold 0.95` on fixmatch
    // is the run it always was)
    if (k === 'pseudoLabels') {
      const d: Partial<Record<string, unknown>> = { ...METHOD_TERMS[c.method]?.pseudoLabels };
      for (const [sk, sv] of Object.entries(v as object)) if (d[sk] !== sv) put(`${k}.${sk}`, sv);
      continue;
    }
    if (k === 'labeledExamples') put(k, v, describeLabeledExamples(v as LabeledExample[]));
    else if (k === 'augment') put(k, v, describeAugmentation(v as Augmentation));
    else if (v && typeof v === 'object') for (const [sk, sv] of Object.entries(v)) put(`${k}.${sk}`, sv);
    else put(k, v);
  }
  return out;
}

function describeLabeledExamples(examples: LabeledExample[]): string {
  const ids = examples
    .map((e) => e.id)
    .sort()
    .join('\n');
  return `${examples.length} chosen labeled examples (ids sha256 ${sha256(ids).slice(0, 12)}…)`;
}

/** An augmentation as `--augment` spells it. */
export function describeAugmentation(a: Augmentation): string {
  const parts = [
    ...(a.flip ? ['flip'] : []),
    ...(a.translate ? [`shift=${a.translate}`] : []),
    ...(a.rotate ? [`rotate=${a.rotate}`] : []),
    ...(a.scale ? [`scale=${a.scale}`] : []),
  ];
  return parts.length ? parts.join(',') : 'off';
}
