import { sha256 } from '../util/sha256.js';
import { CODE_SIGNATURE, type CodeVersion } from './provenance.js';
import { presetOf, type RunConfig } from './run-config.js';

/**
 * Everything a run's figures depend on, in one comparable record: two runs with equal settings and the same
 * code signature compute the same thing. Absent options are written as null or 0, so "not given" and "the
 * default" compare equal only where they mean the same.
 */
export interface RunSettings {
  /** The data spec as given: paths, image size, extra unlabeled folder. */
  data: string;
  preset: string;
  method: string;
  seed: number;
  epochs: number;
  steps: number | null;
  stepsPerEpoch: number | null;
  /** The labeled set: exact ids and labels when given, else labels per class drawn from the seed. */
  labeled: { count: number; idsSha256: string; labelsSha256: string } | { perClass: number };
  validationPerClass: number;
  selectBest: boolean;
  augment: unknown;
  consistency: number;
  consistencyRampup: number;
  pseudoLabels: unknown;
  /** null: the default weight 1, so runs recorded before the option existed compare equal. */
  ganWeight: number | null;
  optimizer: unknown;
  learningRate: number | null;
  lrDecay: unknown;
  testLimit: number | null;
  collapseSteps: number | null;
}

export function runSettings(c: RunConfig): RunSettings {
  const ex = c.labeledExamples;
  const sorted = ex ? [...ex].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : [];
  return {
    data: c.data,
    preset: presetOf(c).name,
    method: c.method,
    seed: c.seed,
    epochs: c.epochs,
    steps: c.steps ?? null,
    stepsPerEpoch: c.stepsPerEpoch ?? null,
    labeled: ex
      ? {
          count: ex.length,
          idsSha256: sha256(sorted.map((e) => e.id).join('\n')),
          labelsSha256: sha256(sorted.map((e) => `${e.id}\t${e.label}`).join('\n')),
        }
      : { perClass: c.labelsPerClass },
    validationPerClass: c.validationPerClass ?? 0,
    selectBest: c.selectBest ?? false,
    augment: c.augment ?? null,
    consistency: c.consistency ?? 0,
    consistencyRampup: c.consistencyRampup ?? 0,
    pseudoLabels: c.pseudoLabels ?? null,
    ganWeight: c.ganWeight === undefined || c.ganWeight === 1 ? null : c.ganWeight,
    optimizer: c.optimizer ?? null,
    learningRate: c.learningRate ?? null,
    lrDecay: c.lrDecay ?? null,
    testLimit: c.testLimit ?? null,
    collapseSteps: c.collapseSteps ?? null,
  };
}

/** JSON with sorted keys, so equal records give equal strings whatever order their keys were written in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

const short = (v: unknown) => {
  const s = canonical(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Why a recorded run is not the run these settings ask for, in a few words; undefined when it is. */
export function whyNotSameRun(
  recorded: { settings?: RunSettings; code?: Pick<CodeVersion, 'signature'>[] },
  wanted: RunSettings,
): string | undefined {
  if (!recorded.settings) return 'it recorded no settings (older results)';
  const differ = (Object.keys(wanted) as (keyof RunSettings)[]).filter(
    (k) => canonical(recorded.settings![k]) !== canonical(wanted[k]),
  );
  if (differ.length) {
    return `its ${differ.map((k) => `${k} ${short(recorded.settings![k])} ≠ ${short(wanted[k])}`).join(', ')}`;
  }
  const signatures = [...new Set((recorded.code ?? []).map((c) => c.signature ?? 'none'))];
  if (!signatures.length) return 'it recorded no code signature (older results)';
  const other = signatures.filter((s) => s !== CODE_SIGNATURE);
  if (other.length) return `it ran other training code (${other.join(', ')}, now ${CODE_SIGNATURE})`;
  return undefined;
}
