/**
 * Cats vs dogs with 100 labels: random vs representative labels × supervised vs kplus1 vs klogit-fm, 3 seeds
 * (the `semigan compare` experiment on ../shared/data/cats-dogs).
 *
 *   npm run bench:cats-dogs      → bench/results/cats-dogs-100.json (+ cats-dogs-100-report.html)
 *
 * Resumable: runs live in bench/runs/cats-dogs-100/ and continue from their checkpoints; finished runs are
 * only aggregated. Several processes may share the work (CD_SEEDS=1 … and CD_SEEDS=2,3 …); a last call with
 * every seed aggregates. Env: CD_SIZE (image px, default 32), CD_EPOCHS (default 10), CD_SEEDS, CD_DIR.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBackend, backendAcceleration } from '../src/backend.js';
import { formatCompareTable, runCompare, summarise, type CompareRun } from '../src/experiments/compare.js';
import type { MethodName } from '../src/train/methods.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext, benchRunsDir } from './machine.js';

const here = import.meta.dirname;
const dataDir = process.env.CD_DIR ?? join(here, '..', '..', 'shared', 'data', 'cats-dogs');
const size = Number(process.env.CD_SIZE ?? 32);
const epochs = Number(process.env.CD_EPOCHS ?? 10);
const seeds = (process.env.CD_SEEDS ?? '1,2,3').split(',').map(Number);
const methods = (process.env.CD_METHODS ?? 'supervised,kplus1,klogit-fm').split(',') as MethodName[];
const out = benchRunsDir('cats-dogs-100');

// runs already in the committed results: their checkpoint directories die with a machine, their figures stay
const finished = ['cats-dogs-100.json', 'cats-dogs-100.partial.json'].flatMap((f) => {
  const path = join(here, 'results', f);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { runs: CompareRun[] }).runs : [];
});
const backend = await useBackend('wasm');
const context = benchContext();
const t0 = performance.now();
const done: CompareRun[] = [];
const result = await runCompare(
  {
    data: `images:${dataDir}?size=${size}`,
    labels: 100,
    select: ['random', 'representative'],
    methods,
    seeds,
    epochs,
    validationPerClass: 50,
    out,
    finished,
  },
  {
    onRunStart: ({ select, method, seed, index, total }) =>
      console.log(
        `${new Date().toISOString()} [${index + 1}/${total}] ${method}, ${select} labels, seed ${seed}`,
      ),
    onEpoch: (m, total) =>
      console.log(
        `  epoch ${m.epoch}/${total}: test accuracy ${(m.testAccuracy * 100).toFixed(2)}%  ${m.seconds}s`,
      ),
    onRunDone: (r) => {
      console.log(`  → ${(r.testAccuracy * 100).toFixed(2)}%`);
      // progress for runs that span sessions: every finished run, summarised, before the whole grid is done
      done.push(r);
      writeFileAtomic(
        join(here, 'results', 'cats-dogs-100.partial.json'),
        JSON.stringify(
          {
            bench: 'cats-dogs-100',
            partial: true,
            ...context,
            imageSize: size,
            epochs,
            runs: done,
            summary: summarise(done),
          },
          null,
          2,
        ) + '\n',
      );
    },
  },
);
console.log(formatCompareTable(result));
if (seeds.length === 3) {
  writeFileAtomic(
    join(here, 'results', 'cats-dogs-100.json'),
    JSON.stringify(
      {
        bench: 'cats-dogs-100',
        ...context,
        backend,
        acceleration: backendAcceleration(),
        imageSize: size,
        epochs,
        validationLabelsPerClass: 50,
        wallSecondsThisCall: Math.round((performance.now() - t0) / 1000),
        ...result,
      },
      null,
      2,
    ) + '\n',
  );
  copyFileSync(join(out, 'report.html'), join(here, 'results', 'cats-dogs-100-report.html'));
  console.log('wrote bench/results/cats-dogs-100.json and cats-dogs-100-report.html');
}
