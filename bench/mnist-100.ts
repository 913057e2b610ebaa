/**
 * MNIST with 100 labels (10 per class): supervised vs klogit-fm (Improved GAN) [vs badgan], 3 seeds.
 * Resumable: every run lives in bench/runs/mnist-100/<method>-seed<seed>/ (checkpoints, not committed) and
 * continues from its checkpoint. Runs are advanced in rounds of ROUND epochs so every seed has figures early.
 *
 *   MNIST_EPOCHS=300 MNIST_ROUND=5 npm run bench:mnist   → bench/results/mnist-100.json
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend } from '../src/backend.js';
import { CHECKPOINT_FILE, readMetrics, runTraining, type RunMetrics } from '../src/train/run.js';
import type { MethodName } from '../src/train/methods.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext } from './machine.js';

const here = import.meta.dirname;
const dataDir = process.env.MNIST_DIR ?? join(here, '..', '..', 'shared', 'data', 'mnist');
const targetEpochs = Number(process.env.MNIST_EPOCHS ?? 300);
const round = Number(process.env.MNIST_ROUND ?? 5);
const methods = (process.env.MNIST_METHODS ?? 'klogit-fm,supervised').split(',') as MethodName[];
const seeds = (process.env.MNIST_SEEDS ?? '1,2,3').split(',').map(Number);
const runsDir = join(here, 'runs', 'mnist-100');
const backend = await useBackend('wasm');
// the code that runs is the code at start: record it now, not when results are written
const context = benchContext();

const runDir = (m: MethodName, s: number) => join(runsDir, `${m}-seed${s}`);

/** Summarises every run directory present, so several bench processes (e.g. one per core) can share the work. */
function summarise(): void {
  const out: Record<string, unknown> = {};
  const dirs = existsSync(runsDir) ? readdirSync(runsDir) : [];
  const allMethods = [...new Set(dirs.map((d) => d.replace(/-seed\d+$/, '')))].sort();
  for (const m of allMethods) {
    const runs = dirs
      .filter((d) => d.startsWith(`${m}-seed`))
      .map((d) => readMetrics(join(runsDir, d)))
      .filter((r): r is RunMetrics => !!r && r.epochs.length > 0)
      .sort((a, b) => a.config.seed - b.config.seed);
    if (!runs.length) continue;
    const errors = runs.map((r) => r.epochs.at(-1)!.testError);
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const std = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / errors.length);
    out[m] = {
      seeds: runs.map((r) => r.config.seed),
      testErrors: errors.map((e) => Number(e.toFixed(5))),
      meanTestError: Number(mean.toFixed(5)),
      stdTestError: Number(std.toFixed(5)),
      epochs: runs.map((r) => r.epochs.length),
      targetEpochs: Math.max(...runs.map((r) => r.config.epochs)),
      complete: runs.every((r) => r.complete),
      wallSeconds: Number(
        runs.reduce((a, r) => a + r.epochs.reduce((b, e) => b + e.seconds, 0), 0).toFixed(0),
      ),
      labeledSubsets: runs.map((r) => r.labeledSubset),
      testErrorCurves: runs.map((r) => r.epochs.map((e) => Number(e.testError.toFixed(5)))),
    };
  }
  const result = {
    bench: 'mnist-100',
    labels: 100,
    ...context,
    backend,
    preset: 'improved-gan-mnist',
    methods: out,
  };
  writeFileAtomic(join(here, 'results', 'mnist-100.json'), JSON.stringify(result, null, 2) + '\n');
}

for (let goal = round; goal <= targetEpochs + round - 1; goal += round) {
  const epochs = Math.min(goal, targetEpochs);
  for (const seed of seeds) {
    for (const method of methods) {
      const dir = runDir(method, seed);
      const done = readMetrics(dir);
      if (done && (done.epochs.length >= epochs || done.complete)) continue;
      const resume = existsSync(join(dir, CHECKPOINT_FILE));
      console.log(
        `${new Date().toISOString()} ${method} seed ${seed}: to epoch ${epochs}${resume ? ' (resuming)' : ''}`,
      );
      await runTraining(
        { data: `mnist:${dataDir}`, method, labelsPerClass: 10, seed, epochs, checkpointEverySteps: 200 },
        dir,
        {
          onEpoch: (m) => {
            console.log(
              `  ${method} seed ${seed} epoch ${m.epoch}: test error ${(m.testError * 100).toFixed(2)}%` +
                (m.testErrorLive !== undefined
                  ? ` (live weights ${(m.testErrorLive * 100).toFixed(2)}%)`
                  : '') +
                `  ${m.seconds}s`,
            );
            summarise();
          },
        },
        resume,
      );
    }
  }
}
summarise();
