import type { LabeledExample } from '../data/labels-csv.js';
import type { SelectStrategy } from '../data/select-labels.js';
import type { MethodName } from '../train/methods.js';
import type { CodeVersion } from '../train/provenance.js';
import type { Rollback, RunMetrics } from '../train/run-config.js';
import type { RunSettings } from '../train/run-settings.js';

/** One finished run of a compare grid, with what it cost in labels and where it came from. */
export interface CompareRun {
  select: SelectStrategy;
  method: MethodName;
  seed: number;
  testAccuracy: number;
  /** Supervised only, with validation labels: the epoch picked by validation accuracy (early stopping). */
  selectedEpoch?: number;
  epochs: number;
  dir: string;
  labeledSubset: RunMetrics['labeledSubset'];
  /**
   * Labels read through the oracle for this run: those the selection read (the labeled examples, and for
   * balanced selection every label read to fill the classes) plus those read for validation. A label read
   * in both stages counts twice, so the figure never understates.
   */
  labelsRead: number;
  /** Everything the run's figures depend on; a run is reused only where these and the code signature match. */
  settings: RunSettings;
  /** The commits (dirty flag, code signature, machine) that trained it, and from which step each. */
  code: CodeVersion[];
  rollbacks: Rollback[];
  /** Test accuracy after each epoch (absent in older results): how much the last epoch's figure wanders. */
  curve?: number[];
  /**
   * Seconds the run spent training, summed over its epochs' `seconds` across every resume (absent in older
   * results). Not in it: label selection, data loading, the per-epoch evaluation, and steps a stop threw away
   * (the part of an epoch before a resume counts from the resume).
   */
  wallSeconds?: number;
}

export interface SummaryCell {
  meanTestAccuracy: number;
  /** Sample standard deviation over seeds (n − 1); null with one seed. */
  stdTestAccuracy: number | null;
  /** Standard error of the mean, SD / √n; null with one seed. */
  seTestAccuracy: number | null;
  seeds: number;
  /** Labels read per seed, in seed order. */
  labelsRead: number[];
  /**
   * Test accuracy minus the supervised run's on the same labeled set (same strategy and seed), over the seeds
   * both have: mean, sample SD and SE of the paired differences. The labeled set moves both runs alike, so the
   * paired gain is known more precisely than the difference of two means. Absent for supervised itself.
   */
  gainOverSupervised?: { mean: number; sd: number | null; se: number | null; seeds: number };
}

export interface CompareResult {
  dataset: string;
  labels: number;
  runs: CompareRun[];
  summary: Record<string, Record<string, SummaryCell>>;
  /** Labeled examples chosen per strategy and seed (the same for every method). */
  labeledSets: Record<string, LabeledExample[]>;
}
