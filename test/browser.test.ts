import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../src/cli/playground-command.js';
import { ARTIFACTS, haveBrowser, openPlayground, pollUntil } from './browser-helpers.js';
import { semigan, tempDir } from './helpers.js';

type State = {
  step: number;
  accuracy: number;
  rate: number;
  labeled: number;
  backend: string;
  playing: boolean;
  trainerLabeled: number[];
  chart: { points: number; firstStep: number; lastStep: number };
  shownStep: string;
  shownAccuracy: string;
  fakes: number;
  legend: string[];
};
const state = (page: Page) =>
  page.evaluate(() => (window as unknown as { semigan: { state(): State } }).semigan.state());

const waitFor = (page: Page, ok: (s: State) => boolean, ms: number) =>
  pollUntil(page, () => state(page), ok, ms);

describe.skipIf(!haveBrowser)('browser playground (headless Chromium)', () => {
  let page: Page;
  let close: () => Promise<void>;
  let errors: string[];

  beforeAll(async () => {
    ({ page, close, errors } = await openPlayground());
  }, 60_000);

  afterAll(async () => close?.());

  it('loads without console errors and trains K-logit-FM on the rings to ≥ 95% test accuracy', async () => {
    const ready = await waitFor(page, (s) => s.backend !== '', 30_000);
    expect(ready.backend).toBe('wasm');
    expect(ready.labeled).toBe(8);
    expect(ready.legend).toEqual(['inner', 'outer']); // the heat map's class colours are named
    await page.click('#play');
    const s = await waitFor(page, (x) => x.accuracy >= 0.95 && x.step >= 600, 120_000);
    await page.screenshot({ path: join(ARTIFACTS, 'playground-rings.png') });
    expect(s.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(s.rate).toBeGreaterThan(0);
    await page.click('#play'); // pause
    expect(errors).toEqual([]);
  }, 150_000);

  it('switching the method starts a new run with that method', async () => {
    // both views fill their method list from one table: K-logit-FM first selected, the baseline on offer
    const offered = await page.$$eval('#method option', (os) =>
      os.map((o) => [(o as HTMLOptionElement).value, (o as HTMLOptionElement).selected]),
    );
    expect(offered).toEqual([
      ['supervised', false],
      ['gan', false],
      ['kplus1', false],
      ['kplus1-fm', false],
      ['klogit', false],
      ['klogit-fm', true],
      ['badgan', false],
    ]);
    for (const method of ['kplus1-fm', 'supervised']) {
      await page.selectOption('#method', method);
      const s = await waitFor(page, (x) => x.step === 0 && !x.playing, 10_000);
      expect(s.step).toBe(0);
      await page.click('#step-btn');
      expect((await waitFor(page, (x) => x.step === 10, 10_000)).step).toBe(10);
    }
    expect(errors).toEqual([]);
  }, 30_000);

  it("offers the plain GAN: D's real/fake map and its fakes, no labels, no accuracy", async () => {
    await page.selectOption('#method', 'gan');
    await waitFor(page, (x) => x.step === 0 && x.legend[0] === 'D: real', 10_000);
    await page.click('#step-btn');
    const s = await waitFor(page, (x) => x.step === 10, 10_000);
    expect(s.legend).toEqual(['D: real', 'D: fake']);
    expect([s.labeled, s.fakes, s.shownAccuracy]).toEqual([0, 200, '–']);
    await page.screenshot({ path: join(ARTIFACTS, 'playground-gan.png') });
    await page.selectOption('#method', 'klogit-fm');
    const back = await waitFor(page, (x) => x.step === 0 && x.legend[0] === 'inner', 10_000);
    expect([back.legend, back.labeled]).toEqual([['inner', 'outer'], 8]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('clicking a point labels it in the running trainer, without restarting it; clicking again unlabels it', async () => {
    const before = await state(page);
    const [i, [x, y]] = await page.evaluate(() => {
      const api = (
        window as unknown as {
          semigan: { unlabeledIndex(): number; pointOnCanvas(i: number): [number, number] };
        }
      ).semigan;
      const i = api.unlabeledIndex();
      return [i, api.pointOnCanvas(i)] as const;
    });
    expect(before.trainerLabeled).not.toContain(i);
    const box = (await page.locator('#boundary').boundingBox())!;
    const click = () => page.mouse.click(box.x + x * (box.width / 480), box.y + y * (box.height / 480));
    await page.click('#play');
    const running = await waitFor(page, (s) => s.step >= before.step + 50, 30_000);
    await click();
    const labeled = await waitFor(page, (s) => s.trainerLabeled.includes(i), 10_000);
    expect(labeled.labeled).toBe(before.labeled + 1);
    expect(labeled.trainerLabeled.length).toBe(before.labeled + 1);
    expect(labeled.step).toBeGreaterThanOrEqual(running.step); // the run went on, it did not start over
    const later = await waitFor(page, (s) => s.step >= labeled.step + 30, 30_000);
    expect(later.trainerLabeled).toContain(i);
    expect(later.chart.firstStep).toBeLessThanOrEqual(running.step); // one unbroken curve
    await click();
    const unlabeled = await waitFor(page, (s) => !s.trainerLabeled.includes(i), 10_000);
    expect(unlabeled.labeled).toBe(before.labeled);
    expect(unlabeled.step).toBeGreaterThanOrEqual(later.step);
    await page.click('#play'); // pause
    await page.screenshot({ path: join(ARTIFACTS, 'playground-labels.png') });
    expect(errors).toEqual([]);
  }, 90_000);

  it('reset while training leaves the chart and the stats agreeing on step 0', async () => {
    await page.click('#play');
    await waitFor(page, (s) => s.step >= 100 && s.chart.points > 5, 30_000);
    await page.click('#reset');
    await page.waitForTimeout(1500); // messages of the old run still in flight arrive meanwhile
    const s = await state(page);
    expect(s.step).toBe(0);
    expect(s.playing).toBe(false);
    expect(s.shownStep).toBe('0');
    expect(s.chart.points).toBeLessThanOrEqual(1);
    expect(s.chart.lastStep).toBe(0);
    await page.click('#step-btn');
    // the chart is redrawn on the next animation frame: wait for it, then it must span exactly 0…10
    const t = await waitFor(page, (x) => x.step === 10 && x.chart.lastStep === 10, 10_000);
    expect([t.shownStep, t.chart.firstStep, t.chart.lastStep]).toEqual(['10', 0, 10]);
    expect(errors).toEqual([]);
  }, 60_000);

  it('loads a model written by semigan export in the browser and predicts what the CLI predicts', async () => {
    const dir = tempDir();
    expect(semigan('train', '--data', 'rings', '--steps', '150', '--out', join(dir, 'run')).code).toBe(0);
    expect(semigan('export', '--model', join(dir, 'run'), '--out', join(dir, 'exp')).code).toBe(0);
    writeFileSync(join(dir, 'pts.csv'), '0.1,0.2\n1.8,-0.5\n');
    const cli = semigan('predict', '--model', join(dir, 'exp'), join(dir, 'pts.csv'))
      .stdout.trim()
      .split('\n')
      .slice(1);
    const { server, url } = await serveStatic(join(dir, 'exp'), '127.0.0.1', 0);
    try {
      const got = await page.evaluate(
        ([u]) =>
          (
            window as unknown as {
              semigan: {
                classifyWithExport(
                  b: string,
                  x: number[],
                ): Promise<{ classNames: string[]; probs: number[] }>;
              };
            }
          ).semigan.classifyWithExport(u, [0.1, 0.2, 1.8, -0.5]),
        [url],
      );
      expect(got.classNames).toEqual(['inner', 'outer']);
      const want = cli.map((l) => l.split(',').slice(2).map(Number));
      got.probs.forEach((p, i) => expect(p).toBeCloseTo(want[Math.floor(i / 2)][i % 2], 4));
      expect(errors).toEqual([]);
    } finally {
      server.close();
    }
  }, 60_000);
});
