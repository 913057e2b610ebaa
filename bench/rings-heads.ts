/**
 * The talk's 2×2 on the rings: {K+1 head, K-logit head} × {non-saturating generator, feature matching},
 * 5 seeds, plus the ablation that tells why the naive head fails: K+1 with its labeled cross-entropy taken
 * over the K class logits only (as the K-logit head takes it).
 *   npx tsx bench/rings-heads.ts → bench/results/rings-heads.json
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendAcceleration, useBackend } from '../src/backend.js';
import { kPlusOne } from '../src/objectives/kplus1.js';
import type { Objective } from '../src/objectives/objective.js';
import type { MethodName } from '../src/train/methods.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext } from './machine.js';
import { ringsLabelsRead, ringsRun, summarize, type RingsRun } from './rings-runs.js';

const seeds = (process.env.RINGS_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const backend = await useBackend((process.env.SEMIGAN_BACKEND as 'wasm') ?? 'wasm');
const variants: { name: string; method: MethodName; objective?: () => Objective; note: string }[] = [
  { name: 'supervised', method: 'supervised', note: 'labeled cross-entropy only (baseline)' },
  { name: 'gan', method: 'gan', note: 'plain GAN: no classifier; its fakes, for contrast with Bad GAN' },
  { name: 'kplus1', method: 'kplus1', note: 'K+1 head, non-saturating G (the talk’s naive head)' },
  { name: 'kplus1-fm', method: 'kplus1-fm', note: 'K+1 head, feature-matching G' },
  { name: 'klogit', method: 'klogit', note: 'K-logit head, non-saturating G' },
  { name: 'klogit-fm', method: 'klogit-fm', note: 'K-logit head, feature-matching G' },
  {
    name: 'kplus1-ce-over-k',
    method: 'kplus1',
    objective: () => ({ ...kPlusOne({ labeledOver: 'classes' }), name: 'kplus1-ce-over-k' }),
    note: 'K+1 head, non-saturating G, labeled cross-entropy over the K class logits only',
  },
  { name: 'badgan', method: 'badgan', note: 'Bad GAN as the demo runs it' },
];
const only = process.env.RINGS_VARIANTS?.split(',');
const file = process.env.RINGS_OUT ?? join(import.meta.dirname, 'results', 'rings-heads.json');
type Column = { note: string; runs: RingsRun[]; accuracy?: unknown; fakesInGap?: unknown };
// RINGS_VARIANTS=a,b reruns those columns and keeps the others from the last result
const results: Record<string, Column> =
  only && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).results : {};
for (const v of variants.filter((x) => !only || only.includes(x.name))) {
  const runs = seeds.map((seed) => {
    const r = ringsRun(v.method, seed, v.objective);
    console.log(v.name, JSON.stringify(r));
    return r;
  });
  results[v.name] = {
    note: v.note,
    runs,
    ...(runs[0].testAccuracy !== undefined
      ? { accuracy: summarize(runs.map((r) => r.testAccuracy ?? 0)) }
      : {}),
    ...(runs[0].fakesInGap !== undefined
      ? { fakesInGap: summarize(runs.map((r) => r.fakesInGap ?? 0)) }
      : {}),
  };
}
const out = {
  bench: 'rings-heads',
  ...benchContext(),
  backend,
  acceleration: backendAcceleration(),
  seeds,
  steps: 1500,
  labeledPerClass: 4,
  labelsReadPerSeed: ringsLabelsRead(seeds),
  results,
};
writeFileAtomic(file, JSON.stringify(out, null, 2) + '\n');
console.log(Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.accuracy])));
