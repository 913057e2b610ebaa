import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleCount, featureSize, type Dataset } from '../src/data/dataset.js';
import { LabelOracle } from '../src/data/label-oracle.js';
import { loadMnistDir } from '../src/data/mnist.js';
import { SELECT_STRATEGIES, selectLabels, type SelectStrategy } from '../src/data/select-labels.js';
import { splitDataset, type Split } from '../src/data/split.js';
import { makeToyDataset } from '../src/data/toy2d.js';
import { runCompare } from '../src/experiments/compare.js';
import { makeTrainer } from '../src/experiments/make-trainer.js';
import { photoPreset, toyPreset } from '../src/experiments/presets.js';
import { loadImageFolder } from '../src/data/images.js';
import { readMetrics, weightsSha256 } from '../src/train/run.js';
import { tempDir } from './helpers.js';
import { photoFolder } from './image-fixtures.js';
import { checkLabelLeak, poisonOutside } from './label-leak.js';

const pool = makeToyDataset('rings', { perClass: 200, seed: 11 });
const SPLIT = { labeledPerClass: 3, seed: 11 };

/** The labels a split reads on the clean pool: the only ones the pipeline may depend on. */
function splitReads(d: Dataset): number[] {
  const oracle = new LabelOracle(d.y);
  splitDataset(d, SPLIT, oracle);
  return oracle.readIndices();
}

/** One label outside the labeled set, read straight from the data as a leaking trainer would. */
function leakOne(split: Split, d: Dataset, readable: number[]): void {
  const row = [...Array(exampleCount(d)).keys()].find((i) => !readable.includes(i))!;
  const size = featureSize(d.featureShape);
  const x = new Float32Array(split.labeled.x.length + size);
  x.set(split.labeled.x);
  x.set(d.x.subarray(row * size, (row + 1) * size), split.labeled.x.length);
  split.labeled = {
    x,
    y: Int32Array.from([...split.labeled.y, d.y[row]]),
    ids: [...split.labeled.ids, `${row}`],
  };
}

describe('label honesty: poison every label the pipeline may not read, demand identical results', () => {
  const readable = splitReads(pool);

  /** split → trainer → 20 steps → weights hash, on whatever labels the data carries. */
  const train = (leak: boolean) => (d: Dataset) => {
    const oracle = new LabelOracle(d.y);
    const split = splitDataset(d, SPLIT, oracle);
    // on poisoned data the split reads exactly the labels it read on clean data
    expect(oracle.readIndices()).toEqual(readable);
    if (leak) leakOne(split, d, readable);
    const t = makeTrainer('klogit-fm', toyPreset(), split, { seed: 11 });
    for (let i = 0; i < 20; i++) t.step();
    const hash = weightsSha256(t);
    t.dispose();
    return hash;
  };

  it('split and trainer: bit-identical weights; a trainer reading one poisoned label is caught', async () => {
    expect(readable.length).toBeLessThan(exampleCount(pool) / 4);
    expect((await checkLabelLeak(pool, readable, train(false))).leaks).toBe(false);
    expect((await checkLabelLeak(pool, readable, train(true))).leaks).toBe(true);
  });

  it('every selection strategy gets the oracle; its log is all it read; a peeking selection is caught', async () => {
    for (const strategy of SELECT_STRATEGIES) {
      const oracle = new LabelOracle(pool.y);
      const rows = await selectLabels(pool, 20, strategy, 5, oracle);
      const reads = oracle.readIndices();
      if (strategy === 'balanced') {
        // labels read in random order until each class is full: the chosen ones and the rest of that prefix
        expect(rows.every((r) => reads.includes(r))).toBe(true);
        expect(reads.length).toBeGreaterThanOrEqual(20);
        expect(reads.length).toBeLessThan(exampleCount(pool) / 2);
      } else {
        expect(reads).toEqual([]);
      }
      const select = async (d: Dataset) => {
        const o = new LabelOracle(d.y);
        const r = await selectLabels(d, 20, strategy, 5, o);
        expect(o.readIndices()).toEqual(reads);
        return r.join(',');
      };
      expect((await checkLabelLeak(pool, reads, select)).leaks, strategy).toBe(false);
    }
    // a selection that peeks at one label it did not ask the oracle for
    const unread = 7;
    const peeking = async (d: Dataset) => {
      const r = await selectLabels(d, 20, 'random', 5, new LabelOracle(d.y));
      return (d.y[unread] === 0 ? r : [unread, ...r.slice(1)]).join(',');
    };
    expect((await checkLabelLeak(pool, [], peeking)).leaks).toBe(true);
  });
});

/** MNIST-format files from bytes: the data every stage of compare reads from disk. */
function writeMnist(
  dir: string,
  part: 'train' | 't10k',
  pixels: Uint8Array,
  y: ArrayLike<number>,
  side: number,
) {
  const n = y.length;
  const images = Buffer.alloc(16 + pixels.length);
  [0x803, n, side, side].forEach((v, i) => images.writeUInt32BE(v, 4 * i));
  images.set(pixels, 16);
  const labels = Buffer.alloc(8 + n);
  [0x801, n].forEach((v, i) => labels.writeUInt32BE(v, 4 * i));
  labels.set(Array.from(y), 8);
  writeFileSync(join(dir, `${part}-images-idx3-ubyte`), images);
  writeFileSync(join(dir, `${part}-labels-idx1-ubyte`), labels);
}

describe('label honesty of the whole pipeline (data files → selection → split → trainer → compare)', () => {
  const side = 8;
  const nTrain = 200;
  const nTest = 50;
  const pixels = (n: number, salt: number) =>
    Uint8Array.from({ length: n * side * side }, (_, i) => (i * 73 + salt * 31 + ((i * i) % 97)) % 256);
  const trainPixels = pixels(nTrain, 1);
  const testPixels = pixels(nTest, 2);
  const trainY = Int32Array.from({ length: nTrain }, (_, i) => (i * 7) % 10);
  const testY = Int32Array.from({ length: nTest }, (_, i) => i % 10);

  /** compare over files holding these training labels (and every test label wrong when poisoned). */
  const compareOn =
    (strategy: SelectStrategy, labelsRead: number[], validationPerClass = 0) =>
    async (d: Dataset) => {
      const poisoned = d.y.some((c, i) => c !== trainY[i]);
      const data = tempDir();
      writeMnist(data, 'train', trainPixels, d.y, side);
      writeMnist(data, 't10k', testPixels, poisoned ? testY.map((c) => (c + 1) % 10) : testY, side);
      const out = tempDir();
      const result = await runCompare({
        data: `mnist:${data}`,
        labels: 20,
        select: [strategy],
        // the method that reads the unlabeled pool, where a leak would hide
        methods: ['klogit-fm'],
        seeds: [1],
        epochs: 1,
        validationPerClass,
        out,
      });
      for (const r of result.runs) labelsRead.push(r.labelsRead);
      const hashes = result.runs.map((r) => `${r.method}:${readMetrics(join(out, r.dir))!.weightsSha256}`);
      const csv = readFileSync(join(out, 'labels', `${strategy}-seed1.csv`), 'utf8');
      return JSON.stringify({ hashes, csv });
    };

  it('every strategy: identical weights and labels CSV with every unread label poisoned; labelsRead recorded', async () => {
    const dir = tempDir();
    writeMnist(dir, 'train', trainPixels, trainY, side);
    writeMnist(dir, 't10k', testPixels, testY, side);
    const train = loadMnistDir(dir).train;
    for (const strategy of SELECT_STRATEGIES) {
      const oracle = new LabelOracle(train.y);
      const rows = await selectLabels(train, 20, strategy, 1, oracle);
      // what the pipeline may read: what selection read, and the labels of the chosen examples
      const readable = [...new Set([...oracle.readIndices(), ...rows])];
      const labelsRead: number[] = [];
      const report = await checkLabelLeak(train, readable, compareOn(strategy, labelsRead));
      expect(report.leaks, strategy).toBe(false);
      // clean, every unread label wrong, unread labels drawn at random: the same count each time
      expect(labelsRead, strategy).toEqual([readable.length, readable.length, readable.length]);
    }
  }, 600_000);

  it('the check bites: a compare that also draws validation labels reads poisoned ones, and is caught', async () => {
    const dir = tempDir();
    writeMnist(dir, 'train', trainPixels, trainY, side);
    writeMnist(dir, 't10k', testPixels, testY, side);
    const train = loadMnistDir(dir).train;
    const rows = await selectLabels(train, 20, 'random', 1, new LabelOracle(train.y));
    const labelsRead: number[] = [];
    // the budget is the 20 chosen labels; 2 validation labels per class are read on top of it
    const report = await checkLabelLeak(train, rows, compareOn('random', labelsRead, 2));
    expect(report.leaks).toBe(true);
    expect(labelsRead[0]).toBeGreaterThan(rows.length);
  }, 600_000);
});

describe("label honesty on image folders: the class name in each photo's path carries no label", () => {
  const budget = { learner: 'contrastive' as const, steps: 4, maxSide: 8, batchSize: 16, maxEpochs: 2 };

  /** representative selection → split → the photo trainer, 3 steps: picks and weights hash. */
  const pipeline = async (d: Dataset) => {
    const oracle = new LabelOracle(d.y);
    const rows = await selectLabels(d, 6, 'representative', 1, oracle, '--n', { featureBudget: budget });
    const split = splitDataset(d, { labeledPerClass: 3, seed: 1, labeledRows: rows }, oracle);
    const t = makeTrainer('klogit-fm+fixmatch', photoPreset(), split, { seed: 1, batchSize: 8 });
    for (let i = 0; i < 3; i++) t.step();
    const hash = weightsSha256(t);
    t.dispose();
    return JSON.stringify({ rows, hash });
  };

  it('selection, split and trainer: identical with every unread label, and its class in the path, poisoned', async () => {
    const { root, cache } = await photoFolder();
    const d = (await loadImageFolder(root, { size: 16, cacheDir: cache })).train;
    const rows = JSON.parse(await pipeline(d)).rows as number[];
    // the poisoned copy does rename the unread photos' class folders (train/cat/… → train/dog/…)
    const poisoned = poisonOutside(d, rows);
    const renamed = d.ids!.filter((id, i) => id !== poisoned.ids![i]);
    expect(renamed.length).toBe(exampleCount(d) - rows.length);
    expect(renamed.every((id) => /^(cat|dog)\//.test(id))).toBe(true);
    // … and their file names (cat/cat0.png → dog/dog0.png): no word of the path keeps the true class
    const words = (id: string) => id.split(/[^A-Za-z]+/);
    expect(poisoned.ids!.every((id, i) => words(id).includes(poisoned.classNames[poisoned.y[i]]))).toBe(true);
    const read = new Set(rows);
    const keepsTrueClass = (id: string, i: number) => words(id).includes(d.classNames[d.y[i]]);
    expect(poisoned.ids!.filter((id, i) => !read.has(i) && keepsTrueClass(id, i))).toEqual([]);
    expect((await checkLabelLeak(d, rows, pipeline)).leaks).toBe(false);
    // the check bites: a selection that prefers photos whose path says "cat" is caught
    const readsPaths = async (p: Dataset) =>
      JSON.stringify(p.ids!.filter((id) => id.split('/').includes('cat')).slice(0, 3));
    expect((await checkLabelLeak(d, rows, readsPaths)).leaks).toBe(true);
    // … and one that reads the class off the file name alone
    const readsNames = async (p: Dataset) =>
      JSON.stringify(p.ids!.filter((id) => basename(id).startsWith('cat')).slice(0, 3));
    expect((await checkLabelLeak(d, rows, readsNames)).leaks).toBe(true);
  }, 120_000);
});
