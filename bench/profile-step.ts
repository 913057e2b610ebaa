/**
 * Per-kernel profile of one training step of a bench/speed workload (tf.profile's kernel times):
 *
 *   npx tsx bench/profile-step.ts [workload] [--shapes]
 *
 * Prints kernel counts and milliseconds by kernel, heaviest first; --shapes splits them by input shapes.
 * "forward" and "unnamed scope" rows are custom-gradient scopes: their time includes the kernels inside them.
 */
import { useBackend } from '../src/backend.js';
import { makeWorkloadTrainer, tf, WORKLOADS } from './speed-workloads.js';

const args = process.argv.slice(2);
const byShape = args.includes('--shapes');
const name = args.find((a) => !a.startsWith('--')) ?? 'dcgan-resnet-64';
const workload = WORKLOADS.find((w) => w.name === name);
if (!workload) {
  console.error(`unknown workload ${name}; one of ${WORKLOADS.map((w) => w.name).join(', ')}`);
  process.exit(1);
}
await useBackend();
const trainer = makeWorkloadTrainer(workload);
for (let i = 0; i < 5; i++) trainer.step();
trainer.readLosses();
const t0 = performance.now();
const info = await tf.profile(() => {
  trainer.step();
  trainer.readLosses();
});
const wall = performance.now() - t0;
const rows = new Map<string, { n: number; ms: number }>();
for (const k of info.kernels) {
  const key = byShape ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
  const e = rows.get(key) ?? { n: 0, ms: 0 };
  e.n++;
  e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  rows.set(key, e);
}
console.log(`${name}: ${info.kernels.length} kernels, ${wall.toFixed(1)} ms wall (profiled)`);
for (const [k, e] of [...rows].sort((a, b) => b[1].ms - a[1].ms).slice(0, byShape ? 60 : undefined)) {
  console.log(`${e.ms.toFixed(2).padStart(9)} ms ${String(e.n).padStart(5)}  ${k}`);
}
