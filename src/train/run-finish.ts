import { join } from 'node:path';
import { argmaxRows, confusionMatrix } from '../eval/predict.js';
import { writeFileAtomic } from '../util/fs.js';
import { paramsSha256, weightsSha256, type RunHooks, type RunMetrics } from './run-config.js';
import { saveRun } from './run-checkpoints.js';
import type { RunState } from './run-state.js';
import { predictWith, type SelectedWeights } from './selected-weights.js';

/**
 * Stage 5 (finish): the reported test accuracy and the one model it belongs to. Its confusion matrix and
 * weights hash come from the same weights, and so does the model the final checkpoint serves to `eval`,
 * `predict` and `export`: the last epoch's, or with selectBest the best-validation epoch's.
 */
export function finishRun(run: RunState, hooks: RunHooks): RunMetrics {
  const { trainer, metrics } = run;
  const { testX, testY } = run.data;
  metrics.complete = true;
  if (!trainer.objective.usesLabels) {
    // a plain GAN: no classifier, no figure; its weights and pictures are the result
    metrics.weightsSha256 = weightsSha256(trainer);
    metrics.step = trainer.stepCount;
    saveRun(run);
    writeFileAtomic(join(run.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    return metrics;
  }
  const last = metrics.epochs.at(-1);
  metrics.testAccuracy = last?.testAccuracy ?? NaN;
  const chosen = selectedModel(run, hooks);
  if (chosen) {
    metrics.selectedEpoch = chosen.epoch;
    metrics.testAccuracy = metrics.epochs.find((e) => e.epoch === chosen.epoch)!.testAccuracy;
  } else {
    // a resumed run may carry the choice of an earlier finish whose weights it does not have
    delete metrics.selectedEpoch;
  }
  const { probs, numClasses } = chosen ? predictWith(trainer, chosen.params, testX) : trainer.predict(testX);
  metrics.confusion = confusionMatrix(argmaxRows(probs, numClasses), testY, numClasses);
  // a run whose length ends between epochs (--steps) is reported at its last step, from these weights
  if (!chosen && last?.step !== trainer.stepCount) metrics.testAccuracy = diagonalShare(metrics.confusion);
  metrics.weightsSha256 = chosen ? paramsSha256(chosen.params) : weightsSha256(trainer);
  metrics.step = trainer.stepCount;
  saveRun(run);
  writeFileAtomic(join(run.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
  return metrics;
}

function diagonalShare(confusion: number[][]): number {
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  return total ? confusion.reduce((a, row, i) => a + row[i], 0) / total : NaN;
}

/** With selectBest and validation data: the best epoch's classifier (early stopping, as the reference's supervised baseline). */
function selectedModel(run: RunState, hooks: RunHooks): SelectedWeights | undefined {
  if (!run.config.selectBest || !run.metrics.epochs.some((e) => e.validationAccuracy !== undefined))
    return undefined;
  if (!run.selected) {
    hooks.onWarning?.(
      'this run began under a semigan that did not keep the weights of its best-validation epoch: ' +
        'it reports its final epoch instead',
    );
  }
  return run.selected;
}
