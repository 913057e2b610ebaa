/**
 * The two-rings demo on 3 seeds: test accuracy and fakes in the gap per method, and the demo's wall time.
 * npm run bench:rings → bench/results/rings-demo.json
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendAcceleration, useBackend } from '../src/backend.js';
import { runDemo } from '../src/experiments/demo.js';
import { benchContext } from './machine.js';
import { summarize } from './rings-runs.js';

const seeds = [1, 2, 3];
const backend = await useBackend((process.env.SEMIGAN_BACKEND as 'wasm') ?? 'wasm');
const runs: {
  seed: number;
  wallSeconds: number;
  testAccuracy: Record<string, number>;
  fakesInGap: Record<string, number>;
  labeledSubset: unknown;
}[] = [];
const column = (r: Awaited<ReturnType<typeof runDemo>>, key: 'testAccuracy' | 'fakesInGap') =>
  Object.fromEntries(
    Object.entries(r.methods)
      .filter(([, v]) => v![key] !== undefined)
      .map(([m, v]) => [m, v![key]!]),
  );
for (const seed of seeds) {
  const t0 = performance.now();
  const r = await runDemo({ out: mkdtempSync(join(tmpdir(), 'semigan-bench-')), seed });
  const wallSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  const acc = column(r, 'testAccuracy');
  const gap = column(r, 'fakesInGap');
  console.log(`seed ${seed}`, acc, gap, `${wallSeconds}s`);
  runs.push({ seed, wallSeconds, testAccuracy: acc, fakesInGap: gap, labeledSubset: r.labeledSubset });
}
const summary = (key: 'testAccuracy' | 'fakesInGap') =>
  Object.fromEntries(Object.keys(runs[0][key]).map((m) => [m, summarize(runs.map((r) => r[key][m]))]));
const result = {
  bench: 'rings-demo',
  ...benchContext(),
  backend,
  acceleration: backendAcceleration(),
  seeds,
  labeledPerClass: 4,
  runs,
  summary: { testAccuracy: summary('testAccuracy'), fakesInGap: summary('fakesInGap') },
};
writeFileSync(
  join(import.meta.dirname, 'results', 'rings-demo.json'),
  JSON.stringify(result, null, 2) + '\n',
);
console.log(result.summary);
