/**
 * The ceiling for the cats-vs-dogs comparison: the same discriminator trained supervised on every one of the
 * 12 000 training labels, per image size. An SSL method with 100 labels can at best close the gap between the
 * 100-label supervised baseline and this figure, so it says which gains a resolution and net can reach.
 *
 *   npm run bench:cats-dogs-ceiling   → bench/results/cats-dogs-ceiling.json
 *
 * Env: CEILING_SIZES (default 32,64), CEILING_EPOCHS (default 15), CD_DIR.
 */
import { join } from 'node:path';
import { backendAcceleration, useBackend } from '../src/backend.js';
import { loadData, parseDataSpec } from '../src/data/spec.js';
import { splitDataset } from '../src/data/split.js';
import { makeTrainer } from '../src/experiments/make-trainer.js';
import { imagePreset } from '../src/experiments/presets.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext } from './machine.js';

const here = import.meta.dirname;
const dataDir = process.env.CD_DIR ?? join(here, '..', '..', 'shared', 'data', 'cats-dogs');
const sizes = (process.env.CEILING_SIZES ?? '32,64').split(',').map(Number);
const epochs = Number(process.env.CEILING_EPOCHS ?? 15);
const seed = 1;

const backend = await useBackend('wasm');
const context = benchContext();
const results: Record<string, unknown> = {};
for (const size of sizes) {
  const { train, test } = await loadData(parseDataSpec(`images:${dataDir}?size=${size}`), seed);
  const rows = Array.from({ length: train.y.length }, (_, i) => i);
  const split = splitDataset(train, { labeledPerClass: train.y.length, seed, labeledRows: rows });
  const trainer = makeTrainer('supervised', imagePreset(), split, { seed });
  const steps = Math.ceil(split.labeled.ids.length / (imagePreset().train.batchSize ?? 64));
  const curve: number[] = [];
  const t0 = performance.now();
  for (let e = 1; e <= epochs; e++) {
    for (let i = 0; i < steps; i++) trainer.step();
    curve.push(Number(trainer.evaluate(test.x, test.y).toFixed(4)));
    console.log(`${size}px epoch ${e}/${epochs}: test accuracy ${(curve.at(-1)! * 100).toFixed(2)}%`);
  }
  trainer.dispose();
  results[`${size}px`] = {
    labels: split.record.count,
    labeledSubset: split.record,
    bestTestAccuracy: Math.max(...curve),
    finalTestAccuracy: curve.at(-1),
    testAccuracyCurve: curve,
    wallSeconds: Math.round((performance.now() - t0) / 1000),
  };
}
const file = join(here, 'results', 'cats-dogs-ceiling.json');
writeFileAtomic(
  file,
  JSON.stringify(
    {
      bench: 'cats-dogs-ceiling',
      ...context,
      backend,
      acceleration: backendAcceleration(),
      seed,
      epochs,
      method: 'supervised on every training label, the imagePreset discriminator, same augmentation',
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${file}`);
