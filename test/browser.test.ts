import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playgroundDir, serveStatic } from '../src/cli/playground-command.js';
import { semigan, tempDir } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

type State = {
  step: number;
  accuracy: number;
  rate: number;
  labeled: number;
  backend: string;
  playing: boolean;
};
const state = (page: Page) =>
  page.evaluate(() => (window as unknown as { semigan: { state(): State } }).semigan.state());

async function waitFor(page: Page, ok: (s: State) => boolean, ms: number): Promise<State> {
  const end = Date.now() + ms;
  let s = await state(page);
  while (!ok(s) && Date.now() < end) {
    await page.waitForTimeout(250);
    s = await state(page);
  }
  return s;
}

describe.skipIf(!haveBrowser)('browser playground (headless Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let close: () => void;
  const errors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(join(playgroundDir(), 'index.html')), 'run npm run build first').toBe(true);
    const { server, url } = await serveStatic(playgroundDir(), '127.0.0.1', 0);
    close = () => server.close();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    close?.();
  });

  it('loads without console errors and trains K-logit-FM on the rings to ≥ 95% test accuracy', async () => {
    const ready = await waitFor(page, (s) => s.backend !== '', 30_000);
    expect(ready.backend).toBe('wasm');
    expect(ready.labeled).toBe(8);
    await page.click('#play');
    const s = await waitFor(page, (x) => x.accuracy >= 0.95 && x.step >= 600, 120_000);
    await page.screenshot({ path: join(ARTIFACTS, 'playground-rings.png') });
    expect(s.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(s.rate).toBeGreaterThan(0);
    await page.click('#play'); // pause
    expect(errors).toEqual([]);
  }, 150_000);

  it('switching the method starts a new run with that method', async () => {
    await page.selectOption('#method', 'supervised');
    const s = await waitFor(page, (x) => x.step === 0 && !x.playing, 10_000);
    expect(s.step).toBe(0);
    await page.click('#step-btn');
    expect((await waitFor(page, (x) => x.step === 10, 10_000)).step).toBe(10);
    expect(errors).toEqual([]);
  }, 30_000);

  it('clicking an unlabeled point labels it, clicking it again unlabels it', async () => {
    const before = (await state(page)).labeled;
    const [x, y] = await page.evaluate(() => {
      const api = (
        window as unknown as {
          semigan: { unlabeledIndex(): number; pointOnCanvas(i: number): [number, number] };
        }
      ).semigan;
      return api.pointOnCanvas(api.unlabeledIndex());
    });
    const box = (await page.locator('#boundary').boundingBox())!;
    await page.mouse.click(box.x + x * (box.width / 480), box.y + y * (box.height / 480));
    expect((await waitFor(page, (s) => s.labeled === before + 1, 10_000)).labeled).toBe(before + 1);
    await page.mouse.click(box.x + x * (box.width / 480), box.y + y * (box.height / 480));
    expect((await waitFor(page, (s) => s.labeled === before, 10_000)).labeled).toBe(before);
    await page.screenshot({ path: join(ARTIFACTS, 'playground-labels.png') });
    expect(errors).toEqual([]);
  }, 30_000);

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
