/**
 * The ceiling for the cats-vs-dogs comparison: a preset's discriminator trained supervised on every one of
 * the 12 000 training labels. An SSL method with 100 labels can at best close the gap between the 100-label
 * supervised baseline and this figure, so it says which gains a resolution and net can reach. The figure is
 * the last epoch's (a fixed schedule, no epoch picked on test data); the curve is recorded beside it.
 *
 *   npm run bench:cats-dogs-ceiling   → bench/results/cats-dogs-ceiling.json (one row per preset and size)
 *
 * Env: CEILING_PRESET (photo-cnn; dcgan-resnet for the old rows), CEILING_SIZES (64), CEILING_EPOCHS (8),
 * CEILING_LR (the preset's), CD_DIR. The learning rate warms up linearly over the first epoch and then decays
 * linearly to zero at the last step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendAcceleration, useBackend } from '../src/backend.js';
import { loadData, parseDataSpec } from '../src/data/spec.js';
import { splitDataset } from '../src/data/split.js';
import { makeTrainer } from '../src/experiments/make-trainer.js';
import { presetByName } from '../src/experiments/presets.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext } from './machine.js';

const here = import.meta.dirname;
const dataDir = process.env.CD_DIR ?? join(here, '..', '..', 'shared', 'data', 'cats-dogs');
const presetName = process.env.CEILING_PRESET ?? 'photo-cnn';
const sizes = (process.env.CEILING_SIZES ?? '64').split(',').map(Number);
const epochs = Number(process.env.CEILING_EPOCHS ?? 8);
const seed = 1;
const file = join(here, 'results', 'cats-dogs-ceiling.json');

const backend = await useBackend('wasm');
const context = benchContext();
const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
const results: Record<string, unknown> = { ...previous.results };
for (const size of sizes) {
  const preset = presetByName(presetName);
  const { train, test } = await loadData(parseDataSpec(`images:${dataDir}?size=${size}`), seed);
  const rows = Array.from({ length: train.y.length }, (_, i) => i);
  const split = splitDataset(train, { labeledPerClass: train.y.length, seed, labeledRows: rows });
  const lr = Number(process.env.CEILING_LR ?? preset.train.learningRate);
  const trainer = makeTrainer('supervised', preset, split, { seed, learningRate: lr });
  const steps = Math.ceil(split.labeled.ids.length / preset.train.batchSize);
  const total = steps * epochs;
  const rate = (s: number) => lr * Math.min((s + 1) / steps, (total - s) / (total - steps));
  const curve: number[] = [];
  const epochSeconds: number[] = [];
  const t0 = performance.now();
  for (let e = 1; e <= epochs; e++) {
    const te = performance.now();
    for (let i = 0; i < steps; i++) {
      trainer.optD.learningRate = rate(trainer.stepCount);
      trainer.step();
    }
    curve.push(Number(trainer.evaluate(test.x, test.y).toFixed(4)));
    epochSeconds.push(Math.round((performance.now() - te) / 1000));
    console.log(
      `${presetName} ${size}px epoch ${e}/${epochs}: test accuracy ${(curve.at(-1)! * 100).toFixed(2)}% ` +
        `(${epochSeconds.at(-1)} s)`,
    );
  }
  trainer.dispose();
  const key = presetName === 'dcgan-resnet' ? `${size}px` : `${presetName}-${size}px`;
  results[key] = {
    preset: presetName,
    ...context,
    labels: split.record.count,
    labeledSubset: split.record,
    epochs,
    learningRate: lr,
    schedule: 'linear warm-up over epoch 1, linear decay to 0 at the last step',
    finalTestAccuracy: curve.at(-1),
    testAccuracyCurve: curve,
    epochSeconds,
    wallSeconds: Math.round((performance.now() - t0) / 1000),
  };
}
writeFileAtomic(
  file,
  JSON.stringify(
    {
      bench: 'cats-dogs-ceiling',
      backend,
      acceleration: backendAcceleration(),
      seed,
      method:
        'supervised on every training label, each preset with its own augmentation (flips, 4 px shifts)',
      note: 'rows without a preset field are the dcgan-resnet preset, 15 epochs, best and final epoch',
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${file}`);
