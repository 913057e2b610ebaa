import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadImageFolder } from '../src/data/images.js';
import { prepareInputs, type Classifier } from '../src/export/classifier.js';
import { runCompare } from '../src/experiments/compare.js';
import { readLabelsCsv } from '../src/data/labels-csv.js';
import { loadData, parseDataSpec } from '../src/data/spec.js';
import { oneLineError, semigan, tempDir } from './helpers.js';
import { makeImages, photoFolder } from './image-fixtures.js';

describe('image folders', () => {
  let root: string;
  let cache: string;
  beforeAll(async () => {
    ({ root, cache } = await photoFolder());
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
      expect(first.stderr).toMatch(/^decode finished: 62 image files$/m);
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
