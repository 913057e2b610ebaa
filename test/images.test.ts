import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadImageFolder } from '../src/data/images.js';
import { prepareInputs, type Classifier } from '../src/export/classifier.js';
import { runCompare, type CompareRun } from '../src/experiments/compare.js';
import { IMAGES_DEFAULTS } from '../src/experiments/data-defaults.js';
import { LabelOracle } from '../src/data/label-oracle.js';
import { readLabelsCsv } from '../src/data/labels-csv.js';
import { selectLabels } from '../src/data/select-labels.js';
import { loadData, parseDataSpec } from '../src/data/spec.js';
import { compareReportHtml } from '../src/report/compare-report.js';
import { Rng } from '../src/random.js';
import type { RunConfig } from '../src/train/run-config.js';
import { runTraining } from '../src/train/run.js';
import { sha256 } from '../src/util/sha256.js';
import { oneLineError, semigan, semiganAsync, tempDir } from './helpers.js';

/** A class folder of small synthetic photos: class 0 dark-left, class 1 dark-right, plus noise. */
async function makeImages(root: string, perClass: number, classes = ['cat', 'dog']): Promise<void> {
  const rng = new Rng(5);
  for (const [k, c] of classes.entries()) {
    mkdirSync(join(root, c), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const px = Buffer.alloc(20 * 20 * 3);
      for (let y = 0; y < 20; y++)
        for (let x = 0; x < 20; x++)
          for (let ch = 0; ch < 3; ch++) {
            const dark = k === 0 ? x < 10 : x >= 10;
            px[(y * 20 + x) * 3 + ch] = Math.max(
              0,
              Math.min(255, (dark ? 40 : 200) + Math.round(rng.normal() * 20)),
            );
          }
      const ext = i % 3 === 0 ? 'png' : i % 3 === 1 ? 'jpg' : 'webp';
      await sharp(px, { raw: { width: 20, height: 20, channels: 3 } }).toFile(
        join(root, c, `${c}${i}.${ext}`),
      );
    }
  }
}

describe('image folders', () => {
  let root: string;
  let cache: string;
  beforeAll(async () => {
    root = join(tempDir(), 'photos');
    cache = tempDir('semigan-cache-');
    await makeImages(root, 30);
    writeFileSync(join(root, 'cat', 'broken.jpg'), 'not a jpeg at all');
    writeFileSync(
      join(root, 'dog', 'truncated.png'),
      readFileSync(join(root, 'dog', 'dog0.png')).subarray(0, 60),
    );
  });

  it('decodes PNG/JPEG/WebP to size×size RGB in [-1, 1], skips unreadable files with a warning, caches', async () => {
    const warnings: string[] = [];
    const a = await loadImageFolder(root, { size: 16, cacheDir: cache, onWarning: (m) => warnings.push(m) });
    expect(a.cached).toBe(false);
    expect(a.skipped.sort()).toEqual(['cat/broken.jpg', 'dog/truncated.png']);
    expect(warnings.filter((w) => w.startsWith('skipping unreadable image'))).toHaveLength(2);
    expect(a.train.featureShape).toEqual([16, 16, 3]);
    // 30 per class, 20% held out as test
    expect(a.train.y.length + a.test.y.length).toBe(60);
    expect(a.test.y.length).toBe(12);
    expect(Math.min(...a.train.x)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...a.train.x)).toBeLessThanOrEqual(1);
    expect(new Set([...a.train.ids, ...a.test.ids]).size).toBe(60);
    const b = await loadImageFolder(root, { size: 16, cacheDir: cache });
    expect(b.cached).toBe(true);
    expect(b.train.x).toEqual(a.train.x);
    expect(b.train.ids).toEqual(a.train.ids);
  });

  it('decoding reports progress through a callback (folders, predict); a cached load decodes nothing', async () => {
    const fresh = tempDir('semigan-cache-');
    const calls: [number, number][] = [];
    const onProgress = (done: number, total: number) => calls.push([done, total]);
    await loadImageFolder(root, { size: 8, cacheDir: fresh, onProgress });
    // 60 photos and 2 unreadable files, which count as done too
    expect(calls).toEqual(Array.from({ length: 62 }, (_, i) => [i + 1, 62]));
    calls.length = 0;
    expect((await loadImageFolder(root, { size: 8, cacheDir: fresh, onProgress })).cached).toBe(true);
    expect(calls).toEqual([]);
    const model: Classifier = {
      classNames: ['cat', 'dog'],
      inputShape: [8, 8, 3],
      input: { kind: 'image', range: [-1, 1] },
      source: 'test',
      predict: (x) => x,
      dispose: () => {},
    };
    const inputs = await prepareInputs(model, [join(root, 'cat')], onProgress);
    expect(inputs.ids).toHaveLength(30);
    expect(calls).toEqual(Array.from({ length: 31 }, (_, i) => [i + 1, 31]));
    const csv = join(tempDir(), 'points.csv');
    writeFileSync(csv, '1,2\n');
    await expect(prepareInputs(model, [csv])).rejects.toThrow(
      /points\.csv is a CSV file, but this model takes 8×8 colour images .*; give it image files/,
    );
  });

  it('CLI: a first decode says so and sums up; the next run reads the cache and says nothing', () => {
    const previous = process.env.SEMIGAN_CACHE;
    process.env.SEMIGAN_CACHE = tempDir('semigan-cache-');
    try {
      const args = ['select-labels', '--data', `images:${root}?size=8`, '--n', '4', '--force'];
      const first = semigan(...args, '--out', join(tempDir(), 'l.csv'));
      expect(first.code, first.stderr).toBe(0);
      // it names the cache folder: SEMIGAN_CACHE here, ~/.cache/semigan by default
      expect(first.stderr).toContain(
        `decoding 62 images (once: later runs read the cache in ${process.env.SEMIGAN_CACHE})\n`,
      );
      expect(first.stderr).toMatch(/^decoded 62 images \(cached for the next run\)$/m);
      // the default (representative) strategy trains a feature net first, and says so
      expect(first.stderr).toMatch(
        /^representative selection: training a feature net .*\n(.*\n)*feature net trained in \d+s$/m,
      );
      const again = semigan(...args, '--out', join(tempDir(), 'l.csv'));
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/decod/);
      expect(again.stderr).toMatch(/^feature net trained in/m);
    } finally {
      if (previous === undefined) delete process.env.SEMIGAN_CACHE;
      else process.env.SEMIGAN_CACHE = previous;
    }
  });

  it('rejects an empty class folder and a folder without classes with one clear line', () => {
    const dir = join(tempDir(), 'imgs');
    mkdirSync(join(dir, 'cat'), { recursive: true });
    mkdirSync(join(dir, 'dog'), { recursive: true });
    writeFileSync(join(dir, 'cat', 'a.txt'), 'x');
    const r = semigan('train', '--data', `images:${dir}`, '--quick', '--out', join(dir, 'out'));
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/class folder .*(cat|dog) has no images/);
    const flat = join(tempDir(), 'flat');
    mkdirSync(flat);
    const r2 = semigan('train', '--data', `images:${flat}`, '--quick', '--out', join(flat, 'out'));
    expect(r2.code).toBe(2);
    expect(oneLineError(r2.stderr)).toMatch(/needs one subfolder per class/);
  });

  it('train/ and test/ with different classes, or a class with no readable image, are clear errors', async () => {
    const dir = join(tempDir(), 'split');
    await makeImages(join(dir, 'train'), 3);
    await makeImages(join(dir, 'test'), 3, ['cat']);
    await expect(loadImageFolder(dir, { size: 8, cacheDir: cache })).rejects.toThrow(
      /train and .*test have different class folders \(cat, dog vs cat\)/,
    );
    const broken = join(tempDir(), 'broken');
    await makeImages(broken, 3);
    for (const f of readdirSync(join(broken, 'dog'))) writeFileSync(join(broken, 'dog', f), 'garbage');
    const warnings: string[] = [];
    await expect(
      loadImageFolder(broken, { size: 8, cacheDir: cache, onWarning: (m) => warnings.push(m) }),
    ).rejects.toThrow(/class 'dog' has no readable training images/);
    expect(warnings).toHaveLength(3);
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
    expect(oracle.readIndices().length).toBeLessThan(d.train.y.length);
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

  it('labels CSV: unknown files and classes, duplicates and empty files are clear errors', () => {
    const dir = tempDir();
    const ids = ['cat/a.png', 'dog/b.png'];
    const csv = (text: string) => {
      const p = join(dir, `l${Math.random()}.csv`);
      writeFileSync(p, text);
      return p;
    };
    expect(
      readLabelsCsv(csv('file,label\ncat/a.png,cat\ndog/b.png,dog\n'), ids, ['cat', 'dog']),
    ).toHaveLength(2);
    expect(() => readLabelsCsv(csv('cat/zzz.png,cat\n'), ids, ['cat', 'dog'])).toThrow(
      /'cat\/zzz.png' is not a training example/,
    );
    // a file the folder holds back for testing is named as such, not as unknown
    expect(() => readLabelsCsv(csv('cat/t.png,cat\n'), ids, ['cat', 'dog'], ['cat/t.png'])).toThrow(
      /'cat\/t.png' is in the test set, which training never sees/,
    );
    expect(() => readLabelsCsv(csv('cat/a.png,horse\n'), ids, ['cat', 'dog'])).toThrow(
      /unknown class 'horse'/,
    );
    expect(() => readLabelsCsv(csv('cat/a.png,cat\ncat/a.png,cat\n'), ids, ['cat', 'dog'])).toThrow(
      /listed twice/,
    );
    expect(() => readLabelsCsv(csv('file,label\n'), ids, ['cat', 'dog'])).toThrow(
      /names no labeled examples/,
    );
    expect(() => readLabelsCsv(join(dir, 'missing.csv'), ids, ['cat', 'dog'])).toThrow(
      /cannot read labels CSV/,
    );
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

  it("a run with strong augmentation, or with FixMatch's strong view, resumes bit for bit", async () => {
    Object.assign(process.env, { SEMIGAN_CACHE: cache });
    const variants: Partial<RunConfig>[] = [
      { method: 'klogit-fm+fixmatch' },
      { method: 'klogit-fm', augment: { flip: true, translate: 2, strong: true } },
    ];
    for (const v of variants) {
      const config: RunConfig = {
        data: `images:${root}?size=16`,
        method: 'fixmatch',
        labelsPerClass: 3,
        seed: 2,
        epochs: 2,
        stepsPerEpoch: 4,
        checkpointEverySteps: 500,
        ...v,
      };
      const dir = tempDir();
      const whole = await runTraining(config, join(dir, 'whole'));
      let steps = 0;
      const stopped = await runTraining(config, join(dir, 'split'), {
        onStep: () => void steps++,
        shouldStop: () => steps >= 5,
      });
      expect(stopped.complete).toBe(false);
      const parts = await runTraining(config, join(dir, 'split'), {}, 'resume');
      expect(parts.weightsSha256, v.method).toBe(whole.weightsSha256);
    }
  }, 120_000);

  it("train on photos: the default is the photos' measured best recipe, its GAN weight only with its method", () => {
    Object.assign(process.env, { SEMIGAN_CACHE: cache });
    const config = (...flags: string[]) => {
      const out = join(tempDir(), 'run');
      const t = semigan(
        'train',
        '--data',
        `images:${root}?size=8`,
        '--labels',
        '6',
        '--steps',
        '1',
        ...flags,
        '--out',
        out,
      );
      expect(t.code, t.stderr).toBe(0);
      return JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).config;
    };
    const byDefault = config();
    expect([byDefault.method, byDefault.ganWeight, byDefault.epochs]).toEqual([
      IMAGES_DEFAULTS.method,
      IMAGES_DEFAULTS.ganWeight,
      IMAGES_DEFAULTS.trainEpochs,
    ]);
    expect(config('--method', 'klogit-fm').ganWeight).toBeUndefined();
    expect(config('--gan-weight', '0.5').ganWeight).toBe(0.5);
    // the earlier photo nets stay one flag away, for their results
    expect(config('--preset', 'dcgan-resnet').preset).toBe('dcgan-resnet');
  });

  it('compare: same labeled set for every method within a seed, result.json, table and report.html', async () => {
    const out = tempDir();
    const r = semigan(
      'compare',
      '--data',
      'moons',
      '--labels',
      '6',
      '--seeds',
      '2',
      '--epochs',
      '2',
      '--methods',
      'supervised,klogit-fm',
      '--select',
      'random,representative',
      '--validation',
      '5',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^labels\s+supervised\s+klogit-fm/m);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.labels).toBe(6);
    expect(result.runs).toHaveLength(8);
    for (const seed of [1, 2]) {
      for (const select of ['random', 'representative']) {
        const hashes = result.runs
          .filter((x: { seed: number; select: string }) => x.seed === seed && x.select === select)
          .map((x: { labeledSubset: { idsSha256: string } }) => x.labeledSubset.idsSha256);
        expect(new Set(hashes).size).toBe(1);
      }
    }
    expect(Object.keys(result.summary)).toEqual(['random', 'representative']);
    // two classes, chance 0.5: 20 steps on the moons reach 0.80–0.93 per run
    for (const x of result.runs as CompareRun[]) expect(x.testAccuracy).toBeGreaterThan(0.7);
    expect(result.summary.random.supervised.meanTestAccuracy).toBeGreaterThan(0.75);
    // the labels each run read: its 6 labeled examples and those read to fill 5 validation examples per class
    for (const x of result.runs as CompareRun[]) expect(x.labelsRead).toBeGreaterThanOrEqual(16);
    expect(r.stdout).toMatch(/labels read\n/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<table>/);
    expect(html).toMatch(/<svg/);
    expect(html).toMatch(/Confusion matrices/);
    const bad = semigan('compare', '--data', 'rings', '--select', 'psychic', '--out', out);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown select 'psychic'/);

    // finished runs handed in (a bench's committed results, directories gone) are reused, not re-trained,
    // but only where the settings (here: the labeled set) are exactly those of the run asked for now
    const tampered = result.runs.map((x: CompareRun, i: number) =>
      i === 0
        ? { ...x, settings: { ...x.settings, labeled: { ...x.settings.labeled, idsSha256: '0'.repeat(64) } } }
        : x,
    );
    const notes: string[] = [];
    const started: string[] = [];
    const again = await runCompare(
      {
        data: 'moons',
        labels: 6,
        seeds: [1, 2],
        epochs: 2,
        methods: ['supervised', 'klogit-fm'],
        select: ['random', 'representative'],
        validationPerClass: 5,
        out: tempDir(),
        finished: tampered,
      },
      { onEpoch: (m) => void started.push(`${m.epoch}`), onNote: (l) => void notes.push(l) },
    );
    expect(started).toEqual(['1', '2']); // only the tampered run trained again, with one line why
    expect(notes).toEqual([
      expect.stringMatching(
        /^not reusing the finished random\/supervised\/seed 1: its labeled .*; training it again$/,
      ),
    ]);
    expect(again.runs.slice(1).map((x) => x.testAccuracy)).toEqual(
      result.runs.slice(1).map((x: CompareRun) => x.testAccuracy),
    );
    expect(again.runs[0].labeledSubset.idsSha256).toBe(result.runs[0].labeledSubset.idsSha256);

    // a report over runs whose directories are partly gone shows the pictures of a seed that still has them all,
    // and says how many runs the curves cover
    for (const x of result.runs as CompareRun[]) {
      if (x.seed === 1 && x.select === 'random') rmSync(join(out, x.dir), { recursive: true });
    }
    const { train } = await loadData(parseDataSpec('moons'), 1);
    const partial = compareReportHtml(result, out, train).split('<h2>Labels chosen: representative')[0]!;
    expect(partial).toMatch(/Confusion matrices \(seed 2, test set\)/);
    expect(partial).toMatch(/2 of 4 runs; the others ran elsewhere/);
    expect(html).toMatch(/Confusion matrices \(seed 1, test set\)/);
  });
});

describe('extra unlabeled images from a folder without classes', () => {
  it('join the unlabeled set only; no label is ever attached to them', async () => {
    const root = join(tempDir(), 'photos');
    await makeImages(root, 10);
    const extra = join(tempDir(), 'more');
    await makeImages(extra, 6, ['x', 'y']); // nested folders: the names mean nothing here
    writeFileSync(join(extra, 'x', 'junk.png'), 'no');
    const out = join(tempDir(), 'run');
    const r = semigan(
      'train',
      '--data',
      `images:${root}`,
      '--image-size',
      '16',
      '--unlabeled',
      extra,
      '--labels',
      '4',
      '--method',
      'klogit-fm',
      '--steps',
      '3',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/skipping unreadable image x\/junk.png/);
    // the extra folder's x/ pictures are those of cat/ (the same seeded noise): the two that the test set holds
    // are dropped, so 16 train images (20% of 20 held out) + 12 − 2 from the extra folder
    expect(r.stderr).toMatch(/dropped 2 unlabeled images that the test set holds \(same bytes\): x\/x1.jpg/);
    expect(r.stderr).toMatch(/4 labeled \+ 26 unlabeled/);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(m.config.data).toBe(`images:${root}?size=16&unlabeled=${extra}`);
    const odd = semigan('train', '--data', `images:${root}`, '--image-size', '12', '--out', out);
    expect(odd.code).toBe(2);
    expect(oneLineError(odd.stderr)).toMatch(/must be one of 8, 16, 32, 64, 128, 256, 512/);
    expect(m.labeledSubset.count).toBe(4);
    const bad = semigan('train', '--data', 'rings', '--unlabeled', extra, '--out', out);
    expect(bad.code).toBe(2);
    expect(oneLineError(bad.stderr)).toMatch(/--unlabeled applies only to images/);
    const notImages = semigan('compare', '--data', 'rings', '--image-size', '16', '--out', tempDir());
    expect(notImages.code).toBe(2);
    expect(oneLineError(notImages.stderr)).toMatch(/--image-size applies only to images/);
    // a fresh directory: `out` holds a finished run, which a new train refuses before it reads any data
    const none = semigan(
      'train',
      '--data',
      `images:${root}?unlabeled=${join(extra, 'nope')}`,
      '--out',
      tempDir(),
    );
    expect(oneLineError(none.stderr)).toMatch(/unlabeled image folder .* does not exist/);
  });
});

describe('no test image in training', () => {
  it('a training image with the bytes of a test image is dropped, with one line naming it', async () => {
    const dir = join(tempDir(), 'split');
    // the same seeded pictures: train/cat/cat0–2 are byte for byte test/cat/cat0–2
    await makeImages(join(dir, 'train'), 6);
    await makeImages(join(dir, 'test'), 3);
    const warnings: string[] = [];
    const d = await loadImageFolder(dir, {
      size: 8,
      cacheDir: tempDir(),
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([
      'dropped 3 training images that the test set holds (same bytes): train/cat/cat0.png (= test/cat/cat0.png), ' +
        'train/cat/cat1.jpg (= test/cat/cat1.jpg), train/cat/cat2.webp (= test/cat/cat2.webp)',
    ]);
    expect(d.train.ids).toHaveLength(9);
    expect(d.train.ids.some((id) => /^train\/cat\/cat[012]\./.test(id))).toBe(false);
    expect(d.test.ids).toHaveLength(6);
    // compare loads the folder for its selection and again for each run: the line is said once
    warnings.length = 0;
    await runCompare(
      {
        data: `images:${dir}?size=8`,
        labels: 4,
        seeds: [1, 2],
        epochs: 1,
        methods: ['supervised'],
        select: ['random'],
        validationPerClass: 0,
        out: tempDir(),
      },
      { onWarning: (m) => void warnings.push(m) },
    );
    expect(warnings.filter((w) => w.startsWith('dropped 3 training images'))).toHaveLength(1);
  });

  it('--unlabeled images with the bytes of a test image are dropped, with one line naming them', async () => {
    const root = join(tempDir(), 'photos');
    await makeImages(root, 10);
    const cache = tempDir();
    const { test } = await loadImageFolder(root, { size: 8, cacheDir: cache });
    // an unlabeled folder that holds two of the test images under other names, and one new image
    const extra = join(tempDir(), 'more');
    mkdirSync(extra);
    writeFileSync(join(extra, 'a.png'), readFileSync(join(root, test.ids[0])));
    writeFileSync(join(extra, 'b.png'), readFileSync(join(root, test.ids[1])));
    await makeImages(join(extra, 'new'), 1, ['z']);
    const warnings: string[] = [];
    const spec = parseDataSpec(`images:${root}?size=8&unlabeled=${extra}`);
    const d = await loadData(spec, 1, undefined, { onWarning: (m) => warnings.push(m) });
    expect(d.extraUnlabeled!.ids).toEqual(['unlabeled:new/z/z0.png']);
    expect(warnings).toEqual([
      `dropped 2 unlabeled images that the test set holds (same bytes): a.png (= ${test.ids[0]}), b.png (= ${test.ids[1]})`,
    ]);
  });
});

describe('defaults that fit small data', () => {
  it('compare on ~60 images per class: one line naming the flag to lower, no validation labels by default', async () => {
    const root = join(tempDir(), 'few');
    await makeImages(root, 60);
    const out = tempDir();
    const r = semigan('compare', '--data', `images:${root}`, '--image-size', '8', '--out', out);
    expect(r.code).toBe(2);
    // the first decode reports itself before the error (progress lines); the error is still one line
    expect(r.stderr).toMatch(/^decoding 120 images/);
    expect(oneLineError(r.stderr.replace(/^decod.*\n/gm, ''))).toMatch(
      /100 labeled examples need more than the 96 training examples: lower --labels$/,
    );
    expect(readdirSync(out)).toEqual([]); // a refused budget leaves no labels folder behind
    const v = semigan(
      'compare',
      '--data',
      `images:${root}?size=8`,
      '--labels',
      '20',
      '--validation',
      '50',
      '--out',
      out,
    );
    expect(v.code).toBe(2);
    expect(oneLineError(v.stderr)).toMatch(
      /need more than the 96 training examples: lower --validation or --labels$/,
    );
  });
});
