import type { LabeledExample } from '../data/labels-csv.js';
import { GAN_WEIGHTED_METHODS, METHOD_TERMS, type MethodName } from '../train/methods.js';
import type { RunConfig } from '../train/run-config.js';
import type { CompareOptions } from './compare.js';
import type { CompareRun } from './compare-types.js';

/** One cell of a comparison's grid. */
export type RunAt = Pick<CompareRun, 'select' | 'method' | 'seed'>;

/**
 * The run compare trains for one cell of its grid on a labeled set: also what a run recorded elsewhere (a bench's
 * results file) must match, labeled set aside, to count as this comparison's.
 */
export function compareRunConfig(
  o: Omit<CompareOptions, 'data' | 'select' | 'methods' | 'seeds' | 'out' | 'finished'>,
  data: string,
  at: RunAt,
  labeledExamples: LabeledExample[],
  labelsPerClass: number,
): RunConfig {
  return {
    data,
    method: at.method,
    labelsPerClass,
    labeledExamples,
    validationPerClass: o.validationPerClass,
    selectBest: at.method === 'supervised' && o.validationPerClass > 0,
    seed: at.seed,
    epochs: o.epochs,
    checkpointEverySteps: 500,
    ...trainingOverrides(o, at.method),
  };
}

/**
 * The comparison's changes to every run's recipe: augmentation for all, the threshold where the term is on,
 * the GAN weight where there is a GAN.
 */
export function trainingOverrides(
  o: Pick<CompareOptions, 'augment' | 'pseudoThreshold' | 'ganWeight'>,
  method: MethodName,
): Partial<RunConfig> {
  const pseudo = METHOD_TERMS[method]?.pseudoLabels;
  const ganWeight = methodGanWeight(o.ganWeight, method);
  return {
    ...(o.augment ? { augment: o.augment } : {}),
    ...(pseudo && o.pseudoThreshold !== undefined
      ? { pseudoLabels: { ...pseudo, threshold: o.pseudoThreshold } }
      : {}),
    ...(ganWeight !== undefined ? { ganWeight } : {}),
  };
}

/** The GAN weight a comparison's `ganWeight` option gives `method`: undefined where it trains at the default 1. */
export function methodGanWeight(w: CompareOptions['ganWeight'], method: MethodName): number | undefined {
  if (typeof w === 'number') return GAN_WEIGHTED_METHODS.includes(method) ? w : undefined;
  return w?.[method];
}
