import type { LabeledExample } from '../data/labels-csv.js';
import type { SelectStrategy } from '../data/select-labels.js';
import type { MethodName } from '../train/methods.js';
import type { RunMetrics } from '../train/run-config.js';

// What a comparison produces: shared by the experiment that runs it (compare.ts) and the report that shows it
// (report/compare-report.ts), so that neither has to import the other.

export interface CompareRun {
  select: SelectStrategy;
  method: MethodName;
  seed: number;
  testAccuracy: number;
  /** Supervised only: the epoch picked by validation accuracy (early stopping). */
  selectedEpoch?: number;
  epochs: number;
  dir: string;
  labeledSubset: RunMetrics['labeledSubset'];
}

export interface CompareResult {
  dataset: string;
  labels: number;
  runs: CompareRun[];
  summary: Record<
    string,
    Record<string, { meanTestAccuracy: number; stdTestAccuracy: number; seeds: number }>
  >;
  /** Labeled examples chosen per strategy and seed (the same for every method). */
  labeledSets: Record<string, LabeledExample[]>;
}
