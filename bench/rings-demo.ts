/**
 * The two-rings demo on 3 seeds: test accuracy per method and the demo's wall time.
 * npm run bench:rings → bench/results/rings-demo.json
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '../src/backend.js';
import { runDemo } from '../src/experiments/demo.js';
import { benchContext } from './machine.js';
import { rounded, seedStats } from '../src/util/stats.js';

const seeds = [1, 2, 3];
const backend = await useBackend((process.env.SEMIGAN_BACKEND as 'wasm') ?? 'wasm');
const runs: {
  seed: number;
  wallSeconds: number;
  testAccuracy: Record<string, number>;
  labeledSubset: unknown;
}[] = [];
for (const seed of seeds) {
  const t0 = performance.now();
  const r = await runDemo({ out: mkdtempSync(join(tmpdir(), 'semigan-bench-')), seed });
  const wallSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  const acc = Object.fromEntries(Object.entries(r.methods).map(([m, v]) => [m, v!.testAccuracy]));
  console.log(`seed ${seed}`, acc, `${wallSeconds}s`);
  runs.push({ seed, wallSeconds, testAccuracy: acc, labeledSubset: r.labeledSubset });
}
const methods = Object.keys(runs[0].testAccuracy);
const summary = Object.fromEntries(
  methods.map((m) => {
    const s = seedStats(runs.map((r) => r.testAccuracy[m]));
    // sample SD (n − 1) and standard error of the mean
    const spread = { stdTestAccuracy: rounded(s.sd, 4), seTestAccuracy: rounded(s.se, 4) };
    return [m, { meanTestAccuracy: Number(s.mean.toFixed(4)), ...spread }];
  }),
);
const result = { bench: 'rings-demo', ...benchContext(), backend, seeds, labeledPerClass: 4, runs, summary };
writeFileSync(
  join(import.meta.dirname, 'results', 'rings-demo.json'),
  JSON.stringify(result, null, 2) + '\n',
);
console.log(summary);
