import * as tf from '@tensorflow/tfjs';
import { backendAcceleration } from '../backend.js';
import type { DataSpec } from '../data/spec.js';
import { makeTrainer } from '../experiments/make-trainer.js';
import type { DecodedCheckpoint } from './checkpoint-file.js';
import { DEFAULT_COLLAPSE, newCollapseState, type CollapseConfig } from './collapse.js';
import { machineSignature, recordCode } from './provenance.js';
import { presetForSpec, type RunConfig, type RunHooks, type RunMetrics } from './run-config.js';
import { presetByName } from '../experiments/presets.js';
import type { LrDecay } from './lr-schedule.js';
import type { RunData } from './run-data.js';
import type { CheckpointMeta } from './run-dir.js';
import { selectedFromCheckpoint, type SelectedWeights } from './selected-weights.js';
import { restoreTrainerState } from './trainer-state.js';
import type { Trainer } from './trainer.js';

/** One run while it trains: what the loop, the checkpoints and the finish share. */
export interface RunState {
  config: RunConfig;
  spec: DataSpec;
  out: string;
  data: RunData;
  trainer: Trainer;
  stepsPerEpoch: number;
  totalSteps: number;
  /** The run's learning-rate decay: its config's, else its preset's default (photos: linear over the run). */
  lrDecay?: LrDecay;
  collapse: CollapseConfig;
  /** Replaced wholesale by a rollback (the checkpoint's record of the run). */
  metrics: RunMetrics;
  /** With selectBest: the best epoch's classifier so far. */
  selected?: SelectedWeights;
}

/**
 * Stage 3 (build): the trainer and the run's record, continued from `stored` on resume; the code and machine
 * that train it are recorded, and a switch of machine is said out loud.
 */
export function buildRun(
  config: RunConfig,
  spec: DataSpec,
  data: RunData,
  out: string,
  hooks: RunHooks,
  stored?: DecodedCheckpoint<CheckpointMeta>,
): RunState {
  const { split } = data;
  // a resumed run keeps the nets it recorded, even where the data kind's default has changed since
  const presetName = config.preset ?? stored?.meta.metrics.preset;
  const preset = presetName ? presetByName(presetName) : presetForSpec(spec, config.method);
  const trainer = makeTrainer(config.method, preset, split, {
    seed: config.seed,
    learningRate: config.learningRate,
    optimizer: config.optimizer,
    augment: config.augment,
    consistency: config.consistency,
    pseudoLabels: config.pseudoLabels,
    ganWeight: config.ganWeight,
  });
  const stepsPerEpoch =
    config.stepsPerEpoch ?? Math.max(1, Math.floor(split.unlabeled.ids.length / trainer.config.batchSize));
  const { metrics, selected } = startOrRestore(config, preset.name, split, trainer, stored);
  const ranOn = metrics.code?.at(-1)?.machine;
  const machine = machineSignature(tf.getBackend(), backendAcceleration());
  metrics.code = recordCode(metrics.code, trainer.stepCount, machine);
  const totalSteps = config.steps ?? stepsPerEpoch * config.epochs;
  if (stored && trainer.stepCount < totalSteps) {
    // a finished run resumed to go further: its figures belong to the end it has not reached yet
    metrics.complete = false;
    delete metrics.testAccuracy;
    delete metrics.confusion;
    delete metrics.weightsSha256;
    delete metrics.selectedEpoch;
  }
  hooks.onStart?.({
    totalSteps,
    stepsPerEpoch,
    startStep: trainer.stepCount,
    labeled: split.labeled.y.length,
    unlabeled: split.unlabeled.ids.length,
  });
  if (stored && ranOn && ranOn !== machine) {
    hooks.onWarning?.(
      `resuming on another machine or kernels (was: ${ranOn}; now: ${machine}). Training continues correctly, ` +
        'but not bit for bit as it would have there; metrics.json records the switch',
    );
  }
  metrics.monitor ??= newCollapseState();
  const collapse = { ...DEFAULT_COLLAPSE, steps: config.collapseSteps ?? DEFAULT_COLLAPSE.steps };
  const lrDecay =
    config.lrDecay ?? (preset.lrDecayOverRun ? { startEpoch: 0, endEpoch: config.epochs } : undefined);
  return {
    config,
    spec,
    out,
    data,
    trainer,
    stepsPerEpoch,
    totalSteps,
    lrDecay,
    collapse,
    metrics,
    selected,
  };
}

/** The run's record and selected weights: new, or restored with the trainer's state from the checkpoint. */
function startOrRestore(
  config: RunConfig,
  preset: string,
  split: RunData['split'],
  trainer: Trainer,
  stored?: DecodedCheckpoint<CheckpointMeta>,
): { metrics: RunMetrics; selected?: SelectedWeights } {
  if (stored) {
    try {
      restoreTrainerState(trainer, stored.meta.trainer, stored.blobs);
    } catch (e) {
      trainer.dispose();
      throw e;
    }
    return {
      metrics: { ...stored.meta.metrics, config, backend: tf.getBackend() },
      selected: selectedFromCheckpoint(stored.meta.selectedEpoch, stored.blobs),
    };
  }
  return {
    metrics: {
      config,
      preset,
      backend: tf.getBackend(),
      labeledSubset: split.record,
      featureShape: split.featureShape,
      classNames: split.classNames,
      epochs: [],
      complete: false,
      step: 0,
    },
  };
}
