/**
 * Median step time of one bench/speed workload in this process, for A/B checks of a kernel change:
 *
 *   npx tsx bench/ab-step.ts [workload] [reps]
 *
 * Run it twice with the change on and off (fresh processes): absolute times drift between runs on a shared
 * machine, so alternate A and B a few times before believing a difference under ≈5%.
 */
import { useBackend } from '../src/backend.js';
import { makeWorkloadTrainer, median, timeSteps, WORKLOADS } from './speed-workloads.js';

const [name = 'dcgan-resnet-64', repsArg = '20'] = process.argv.slice(2);
const workload = WORKLOADS.find((w) => w.name === name);
if (!workload) {
  console.error(`unknown workload ${name}; one of ${WORKLOADS.map((w) => w.name).join(', ')}`);
  process.exit(1);
}
await useBackend();
const times = timeSteps(makeWorkloadTrainer(workload), 5, Number(repsArg));
console.log(`${name}: median ${median(times).toFixed(2)} ms, min ${Math.min(...times).toFixed(2)} ms`);
