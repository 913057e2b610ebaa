import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadImageFolder } from '../src/data/images.js';
import { runCompare } from '../src/experiments/compare.js';
import { LabelOracle } from '../src/data/label-oracle.js';
import { selectLabels } from '../src/data/select-labels.js';
import { sha256 } from '../src/util/sha256.js';
import { fillingPrefix, oneLineError, semigan, semiganAsync, tempDir } from './helpers.js';
import { Rng } from '../src/random.js';
import { makeImages, photoFolder } from './image-fixtures.js';

describe('choosing which images to label', () => {
  let root: string;
  let cache: string;
  beforeAll(async () => {
    ({ root, cache } = await photoFolder());
  });

  it('select-labels: representative and random read no label; balanced reads only to fill classes', async () => {
    const d = await loadImageFolder(root, { size: 16, cacheDir: cache });
    for (const strategy of ['random', 'representative'] as const) {
      const oracle = new LabelOracle(d.train.y);
      const rows = await selectLabels(d.train, 10, strategy, 3, oracle);
      expect(new Set(rows).size).toBe(10);
      expect(oracle.readIndices()).toEqual([]);
    }
    const oracle = new LabelOracle(d.train.y);
    const rows = await selectLabels(d.train, 10, 'balanced', 3, oracle);
    expect(rows.filter((r) => d.train.y[r] === 0)).toHaveLength(5);
    // a balanced draw reads the seeded order only until each class has its 5
    expect(oracle.readIndices()).toEqual(
      fillingPrefix(new Rng(3).permutation(d.train.y.length), d.train.y, 5),
    );
    // two clean modes (dark left / dark right): k-means with 2 centres picks one of each
    const two = await selectLabels(d.train, 2, 'representative', 1, new LabelOracle(d.train.y));
    expect(new Set(two.map((r) => d.train.y[r])).size).toBe(2);
    await expect(selectLabels(d.train, 10_000, 'random', 1, new LabelOracle(d.train.y))).rejects.toThrow(
      /asked for 10000 labels but the data has \d+ training examples: lower --n/,
    );
  });

  it('CLI compare: Ctrl-C during the feature net of a representative selection is heard at once', async () => {
    const many = join(tempDir(), 'many');
    await makeImages(many, 300);
    const out = tempDir();
    const child = semiganAsync(
      'compare',
      ...['--data', `images:${many}?size=16`, '--labels', '10', '--seeds', '1'],
      ...['--select', 'representative', '--methods', 'supervised', '--out', out],
    );
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      // the feature net trains for dozens of steps; the signal comes as its first progress line arrives
      if (!signalled && /feature net/.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(
      /stopped while choosing labels; nothing was saved yet; run the same command again/,
    );
    expect(stderr).not.toMatch(/feature net trained/);
    expect(existsSync(join(out, 'labels'))).toBe(false);
  });

  it('compare: a stop (Ctrl-C) during the feature net of a selection ends it before the next step, saving nothing', async () => {
    const out = tempDir();
    const opts = {
      data: `images:${root}?size=16`,
      labels: 4,
      seeds: [1],
      epochs: 1,
      methods: ['supervised' as const],
      select: ['representative' as const],
      validationPerClass: 0,
      out,
    };
    let steps = 0;
    const stopAfterTwo = { onSelectionStep: () => void steps++, shouldStop: () => steps >= 2 };
    await expect(runCompare(opts, stopAfterTwo)).rejects.toThrow(/^stopped while choosing labels/);
    expect(steps).toBe(2);
    expect(existsSync(join(out, 'labels'))).toBe(false);
    // the same call without a stop selects from the start and trains
    steps = 0;
    const done = await runCompare(opts, { onSelectionStep: () => void steps++ });
    expect(steps).toBeGreaterThan(2);
    expect(done.runs).toHaveLength(1);
  });

  it('CLI: select-labels writes a CSV that train --labels-csv uses exactly', async () => {
    const out = tempDir();
    const csvPath = join(out, 'labels.csv');
    const env = { SEMIGAN_CACHE: cache };
    Object.assign(process.env, env);
    // --image-size works on every command that reads images, as ?size= does
    const s = semigan(
      'select-labels',
      '--data',
      `images:${root}`,
      '--image-size',
      '16',
      '--n',
      '6',
      '--out',
      csvPath,
    );
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/labels read to choose them: 0/);
    // the command it suggests next trains at the size the photos were chosen at
    expect(s.stdout).toContain(
      `train with: npx semigan train --data images:${root} --image-size 16 --labels-csv`,
    );
    // … with the method that has done best on the typical photos a representative selection picks
    expect(s.stdout).toMatch(/--labels-csv \S+ --method klogit-fm\+fixmatch\n/);
    const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('file,label');
    expect(lines).toHaveLength(7);
    const again = semigan('select-labels', '--data', `images:${root}?size=16`, '--n', '6', '--out', csvPath);
    expect(again.code).toBe(2);
    expect(oneLineError(again.stderr)).toMatch(/exists \(use --force/);
    const run = join(out, 'run');
    const t = semigan(
      'train',
      '--data',
      `images:${root}`,
      '--image-size',
      '16',
      '--labels-csv',
      csvPath,
      '--method',
      'klogit-fm',
      '--steps',
      '4',
      '--out',
      run,
    );
    expect(t.code, t.stderr).toBe(0);
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    // the run trained on exactly the CSV's examples: the ids representative selection picks, their labels, the hash
    const rows = lines.slice(1).map((l) => l.split(','));
    const { train, test } = await loadImageFolder(root, { size: 16, cacheDir: cache });
    const picked = await selectLabels(train, 6, 'representative', 1, new LabelOracle(train.y));
    expect(rows.map(([id]) => id)).toEqual(picked.map((r) => train.ids[r]));
    expect(rows.map(([, label]) => label)).toEqual(picked.map((r) => train.classNames[train.y[r]]));
    expect(metrics.config.labeledExamples).toEqual(rows.map(([id, label]) => ({ id, label })));
    expect(metrics.labeledSubset.count).toBe(6);
    // the config says what the CSV holds per class (at most), not the default budget's 50 per class
    const most = Math.max(...['cat', 'dog'].map((c) => rows.filter(([, label]) => label === c).length));
    expect(metrics.config.labelsPerClass).toBe(most);
    expect(metrics.labeledSubset.idsSha256).toBe(
      sha256(
        rows
          .map(([id]) => id)
          .sort()
          .join('\n'),
      ),
    );
    expect(metrics.labeledSubset.labelsRead).toBe(6);
    // eval: the run's own folder scores its held-out test images; another folder is scored whole, its class
    // folders matched to the model's by name (here only dogs)
    const own = semigan('eval', '--model', run);
    expect(own.stdout).toMatch(new RegExp(`, ${test.y.length} test examples\\)`));
    const dogs = join(tempDir(), 'dogs');
    mkdirSync(join(dogs, 'dog'), { recursive: true });
    const dogFiles = readdirSync(join(root, 'dog')).slice(0, 5);
    for (const f of dogFiles) writeFileSync(join(dogs, 'dog', f), readFileSync(join(root, 'dog', f)));
    // the model takes 16 px photos: a folder is decoded at that size unless the user names another
    const other = semigan('eval', '--model', run, '--data', `images:${dogs}`);
    expect(other.code, other.stderr).toBe(0);
    const at32 = semigan('eval', '--model', run, '--data', `images:${dogs}?size=32`);
    expect(oneLineError(at32.stderr)).toMatch(/the model takes 16×16 images, not 32: leave out \?size=32$/);
    expect(at32.stderr).not.toMatch(/decod/);
    expect(other.stdout).toMatch(/, all 5 images\)/);
    expect(other.stdout.split('\n').at(-2)).toMatch(/^ +dog +\d+ +\d+$/);
    expect(
      other.stdout
        .split('\n')
        .at(-2)!
        .trim()
        .split(/ +/)
        .slice(1)
        .map(Number)
        .reduce((a, b) => a + b),
    ).toBe(5);
    mkdirSync(join(dogs, 'horse'));
    const horse = semigan('eval', '--model', run, '--data', `images:${dogs}?size=16`);
    expect(horse.code).toBe(2);
    expect(oneLineError(horse.stderr)).toMatch(
      /class folders named as the model's classes \(cat, dog\), not horse/,
    );
    const bad = semigan(
      'train',
      '--data',
      `images:${root}?size=16`,
      '--labels-csv',
      join(out, 'nope.csv'),
      '--out',
      run,
    );
    expect(bad.code).toBe(2);
    expect(oneLineError(bad.stderr)).toMatch(/cannot read labels CSV/);
    expect(existsSync(join(run, 'checkpoint.bin'))).toBe(true);
  });
});
