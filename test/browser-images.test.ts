import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/backend.js';
import { loadClassifier } from '../src/export/classifier.js';
import { IMAGES_DEFAULTS } from '../src/experiments/data-defaults.js';
import { ARTIFACTS, haveBrowser, openPlayground, pollUntil } from './browser-helpers.js';
import { semigan, tempDir } from './helpers.js';

type ImagesState = {
  images: number;
  labeled: number;
  classNames: string[];
  step: number;
  heldOutAccuracy: number;
  heldOut: number;
  trainLabeled: number;
  chart: { points: number; firstStep: number; lastStep: number };
  shownStep: string;
  folderAccuracy: string;
  backend: string;
  playing: boolean;
  exported: boolean;
  samples: number;
};
/** Calls the page's images API (window.semigan.images(), see web/src/main.ts): `call` is e.g. "state()". */
const api = <T>(page: Page, call: string) => page.evaluate(`window.semigan.images().${call}`) as Promise<T>;
const state = (page: Page) => api<ImagesState>(page, 'state()');
/** Image paths the worker's trainer holds as labeled / unlabeled data, and those held out from it. */
const trainingData = (page: Page) =>
  api<{ heldOut: string[]; labeled: string[]; unlabeled: string[] }>(page, 'trainingData()');

/** Two classes a small net tells apart from colour and texture: warm stripes vs cool blobs, 24×24 PNG. */
async function synthImages(dir: string, perClass: number): Promise<void> {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const cls of ['cool', 'warm']) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const px = Buffer.alloc(24 * 24 * 3);
      const phase = rand() * 6;
      for (let p = 0; p < 24 * 24; p++) {
        const [x, y] = [p % 24, Math.floor(p / 24)];
        const v = cls === 'warm' ? Math.sin(x / 2 + phase) : Math.cos(Math.hypot(x - 12, y - 12) / 3 + phase);
        const hot = 150 + 100 * v * rand();
        const cold = 60 * rand();
        px.set(cls === 'warm' ? [hot, cold + 40, cold] : [cold, cold + 40, hot], p * 3);
      }
      const name = `${cls}-${String(i).padStart(2, '0')}.png`;
      await sharp(px, { raw: { width: 24, height: 24, channels: 3 } })
        .png()
        .toFile(join(dir, cls, name));
    }
  }
  writeFileSync(join(dir, 'warm', 'broken.png'), 'not a png');
}

describe.skipIf(!haveBrowser)('browser playground, your-images view (headless Chromium)', () => {
  let page: Page;
  let close: () => Promise<void>;
  let errors: string[];
  const dir = tempDir();
  const images = join(dir, 'photos');

  beforeAll(async () => {
    await synthImages(images, 30);
    ({ page, close, errors } = await openPlayground('?view=images&backend=wasm&seed=1'));
  }, 60_000);

  afterAll(async () => close?.());

  it('loads a dropped folder, labels by clicking (also while training), keeps held-out images out of training, and exports a model the CLI and library load', async () => {
    // the view starts with the CLI's default for photos, FixMatch, which has no generated images to show; the test
    // trains the SSL-GAN with FixMatch's term, whose samples it checks
    expect(await page.inputValue('#img-method')).toBe(IMAGES_DEFAULTS.method);
    expect(await page.isVisible('#img-samples')).toBe(false);
    await page.selectOption('#img-method', 'klogit-fm+fixmatch');
    expect(await page.isVisible('#img-samples')).toBe(true);
    await page.selectOption('#img-size', '16');
    await page.setInputFiles('#img-folder', images);
    let s = await pollUntil(
      page,
      () => state(page),
      (x) => x.images > 0,
      20_000,
    );
    expect(s.images).toBe(60); // broken.png skipped, with its name in the status line
    expect(await page.textContent('#img-status')).toContain('Skipped 1 unreadable');
    expect([...s.classNames].sort()).toEqual(['cool', 'warm']);

    // label 20 of each class by clicking thumbnails, choosing the class with its number key
    for (const cls of s.classNames) {
      await page.keyboard.press(String(s.classNames.indexOf(cls) + 1));
      const thumbs = page.locator(`figure.thumb[title*="/${cls}/"]`);
      for (let i = 0; i < 20; i++) await thumbs.nth(i).click();
    }
    expect((await state(page)).labeled).toBe(40);
    // clicking a labeled image with another class active relabels it; with its own class, unlabels it
    await page.locator(`figure.thumb[title*="/cool/"]`).nth(0).click();
    expect((await state(page)).labeled).toBe(40);
    await page.keyboard.press(String(s.classNames.indexOf('cool') + 1));
    await page.locator(`figure.thumb[title*="/cool/"]`).nth(0).click(); // warm → cool
    await page.locator(`figure.thumb[title*="/cool/"]`).nth(0).click(); // unlabel…
    expect((await state(page)).labeled).toBe(39);
    await page.locator(`figure.thumb[title*="/cool/"]`).nth(0).click(); // …and label it again
    expect((await state(page)).labeled).toBe(40);

    await page.click('#img-play');
    s = await pollUntil(
      page,
      () => state(page),
      (x) => x.step >= 5,
      60_000,
    );
    // a quarter of each class's labels is held out, and the trainer holds none of them, not even unlabeled
    const paths = await api<string[]>(page, 'paths()');
    const data = await trainingData(page);
    expect(data.heldOut.length).toBe(10);
    expect(data.labeled.length).toBe(30);
    expect(data.unlabeled.length).toBe(50);
    const seen = new Set([...data.labeled, ...data.unlabeled]);
    expect(data.heldOut.filter((p) => seen.has(p))).toEqual([]);
    expect([...new Set([...seen, ...data.heldOut])].sort()).toEqual([...paths].sort());

    // a label clicked while training joins the running trainer: no restart, held-out set unchanged
    const extra = page.locator(`figure.thumb[title*="/cool/"]`).nth(25);
    const extraPath = (await extra.getAttribute('title'))!;
    const before = await state(page);
    await extra.click();
    const after = await pollUntil(
      page,
      () => trainingData(page),
      (d) => d.labeled.includes(extraPath),
      20_000,
    );
    expect(after.labeled).toContain(extraPath);
    expect(after.labeled.length).toBe(31);
    expect(after.heldOut).toEqual(data.heldOut);
    s = await pollUntil(
      page,
      () => state(page),
      (x) => x.trainLabeled === 31 && x.step > before.step,
      30_000,
    );
    expect(s.step).toBeGreaterThan(before.step);
    expect(s.labeled).toBe(41);

    s = await pollUntil(
      page,
      () => state(page),
      (x) => x.step >= 40 && parseFloat(x.folderAccuracy) >= 90 && x.heldOutAccuracy >= 0.9,
      150_000,
    );
    await page.click('#img-play'); // pause: the worker answers with predictions of the final weights
    s = await pollUntil(
      page,
      () => state(page),
      (x) => !x.playing,
      10_000,
    );
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(ARTIFACTS, 'playground-images.png'), fullPage: true });
    expect(s.backend).toBe('wasm');
    expect(s.heldOut).toBe(10);
    expect(s.heldOutAccuracy).toBeGreaterThanOrEqual(0.9); // at most one of the 10 held-out images wrong
    expect(parseFloat(s.folderAccuracy)).toBeGreaterThanOrEqual(90);
    expect(s.samples).toBeGreaterThan(0);

    await page.click('#img-export');
    const exp = join(dir, 'export');
    mkdirSync(exp);
    for (const file of ['model.json', 'weights.bin']) {
      const link = page.locator(`#img-download-${file.replace('.', '-')}`);
      await link.waitFor({ timeout: 20_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe(file);
      await download.saveAs(join(exp, file));
    }

    // the library loads the download and gives the page's probabilities on the page's own pixels
    const probs = await api<number[]>(page, 'predictions()');
    const idx = [0, 1, 2, 30, 31, 32];
    const rows = await api<number[][]>(page, `rows(${JSON.stringify(idx)})`);
    await useBackend('wasm');
    const c = await loadClassifier(exp);
    try {
      expect(c.classNames).toEqual(s.classNames);
      const mine = c.predict(Float32Array.from(rows.flat()));
      idx.forEach((i, j) => [0, 1].forEach((k) => expect(mine[j * 2 + k]).toBeCloseTo(probs[i * 2 + k], 4)));
    } finally {
      c.dispose();
    }

    // and `semigan predict` on the original files agrees with the page's classes
    const r = semigan('predict', '--model', exp, '--format', 'json', images);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('broken.png');
    const cli = JSON.parse(r.stdout) as { file: string; class: string }[];
    expect(cli.length).toBe(60);
    const pageClass = new Map(
      paths.map((p, i) => [basename(p), s.classNames[probs[i * 2] >= probs[i * 2 + 1] ? 0 : 1]]),
    );
    const agree = cli.filter((x) => pageClass.get(basename(x.file)) === x.class).length;
    expect(agree).toBeGreaterThanOrEqual(57); // browser and sharp resize 24→16 px a little differently

    // reset while training: the run's late answers are dropped, so chart and stats both say step 0
    await page.click('#img-play');
    await pollUntil(
      page,
      () => state(page),
      (x) => x.playing && x.step > s.step,
      30_000,
    );
    await page.click('#img-reset');
    await page.waitForTimeout(2000);
    const reset = await state(page);
    expect([reset.step, reset.shownStep, reset.playing, reset.chart.points]).toEqual([0, '0', false, 0]);
    expect(errors).toEqual([]);
  }, 240_000);
});
