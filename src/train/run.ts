import { parseDataSpec } from '../data/spec.js';
import { ensureWritableDir } from '../util/fs.js';
import type { RunConfig, RunHooks, RunMetrics } from './run-config.js';
import { validateRunConfig } from './validate-run-config.js';
import { saveRun } from './run-checkpoints.js';
import { loadRunData, splitRunData } from './run-data.js';
import { readRunCheckpoint, refuseExistingRun, removeRunFiles } from './run-dir.js';
import { finishRun } from './run-finish.js';
import { trainLoop } from './run-loop.js';
import { buildRun } from './run-state.js';
import { checkResumeSettings } from './resume-settings.js';

export * from './run-config.js';
export { validateRunConfig } from './validate-run-config.js';
export { readRunConfig, refuseExistingRun, refuseForeignFiles, requireRunDir } from './run-dir.js';
export { CHANGEABLE_ON_RESUME, settingConflict, type SettingConflict } from './resume-settings.js';

/**
 * How a run starts in its directory: `new` refuses a directory that already holds a run, `resume` continues
 * the run there (its settings must agree with the caller's), `replace` starts over and replaces it. `true`
 * and `false` mean `resume` and `new`.
 */
export type RunStart = 'new' | 'resume' | 'replace' | boolean;

/**
 * Trains (or resumes) one run in `out`: checkpoint.bin every N steps and at the end (atomic), metrics.json
 * after every epoch, with `complete: true` only once the last epoch is done. The stages: load → split → build
 * → loop → finish.
 */
export async function runTraining(
  config: RunConfig,
  out: string,
  hooks: RunHooks = {},
  start: RunStart = 'new',
): Promise<RunMetrics> {
  const mode = start === true ? 'resume' : start === false ? 'new' : start;
  const spec = parseDataSpec(config.data);
  validateRunConfig(config, spec);
  // refusals come before the data is read: they take a moment, not a decode of every image
  const stored = mode === 'resume' ? readRunCheckpoint(out) : undefined;
  if (stored) checkResumeSettings(out, stored.meta.metrics.config, config);
  ensureWritableDir(out);
  if (mode === 'new') refuseExistingRun(out);
  const data = splitRunData(config, await loadRunData(config, spec, hooks));
  const run = buildRun(config, spec, data, out, hooks, stored);
  try {
    // a finished run asked for no more, or a stopped one already past what is asked: leave it as it was
    const step = run.trainer.stepCount;
    if (stored && step >= run.totalSteps && (stored.meta.metrics.complete || step > run.totalSteps)) {
      hooks.onNothingToTrain?.(step);
      return stored.meta.metrics;
    }
    if (!stored) {
      // the old run stays whole until the new one is ready to take its first checkpoint
      if (mode === 'replace') removeRunFiles(out);
      // a rollback target exists from the first step on
      saveRun(run);
    }
    const finished = await trainLoop(run, hooks);
    return finished ? finishRun(run, hooks) : run.metrics;
  } finally {
    run.trainer.dispose();
  }
}
