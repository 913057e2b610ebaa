/**
 * Training steps per second of the browser playground in headless Chromium, with the page redrawing as it
 * trains: the 2-D view (two rings, K-logit-FM) and the your-images view (32 px, batch 32, wasm), the latter
 * with and without cross-origin isolation (COOP/COEP, which let tfjs-wasm use threads).
 * `npm run bench:playground` → bench/results/playground.json.
 * Needs `npm run build` (web/dist), Debian's chromium (CHROMIUM_PATH to use another) and the cats-dogs photos
 * (PLAYGROUND_IMAGES: a folder with one subfolder per class; default /work/shared/data/cats-dogs/train).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { playgroundDir, serveStatic } from '../src/cli/playground-command.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext } from './machine.js';

const here = import.meta.dirname;
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const seconds = Number(process.env.PLAYGROUND_SECONDS ?? 20);
const imagesRoot =
  process.env.PLAYGROUND_IMAGES ?? join(here, '..', '..', 'shared', 'data', 'cats-dogs', 'train');
const PER_CLASS = 100;
/** Images-view measurements alternate without and with isolation this many times, so load drifts evenly. */
const ROUNDS = Number(process.env.PLAYGROUND_ROUNDS ?? 2);

/** Steps per second between two reads `seconds` apart, after a warm-up. */
async function rate(page: Page, read: () => Promise<{ step: number }>): Promise<number> {
  await page.waitForTimeout(5000); // warm-up: the first steps compile kernels
  const a = await read();
  const t0 = Date.now();
  await page.waitForTimeout(seconds * 1000);
  const b = await read();
  return Number(((b.step - a.step) / ((Date.now() - t0) / 1000)).toFixed(2));
}

async function open(browser: Browser, isolated: boolean, query: string) {
  const { server, url } = await serveStatic(playgroundDir(), '127.0.0.1', 0, {
    crossOriginIsolated: isolated,
  });
  const page = await browser.newPage();
  await page.goto(url + query);
  return { page, close: async () => (await page.close(), server.close()) };
}

async function toyView(browser: Browser, isolated: boolean) {
  const { page, close } = await open(browser, isolated, '');
  try {
    type S = { step: number; accuracy: number; backend: string };
    const state = () =>
      page.evaluate(() => (window as unknown as { semigan: { state(): S } }).semigan.state());
    while (!(await state()).backend) await page.waitForTimeout(100);
    await page.click('#play');
    const stepsPerSecond = await rate(page, state);
    return { stepsPerSecond, ...(await state()) };
  } finally {
    await close();
  }
}

/** A folder of PER_CLASS photos per class, copied out of the shared data (which is read-only). */
function samplePhotos(): string {
  if (!existsSync(imagesRoot)) throw new Error(`no photos at ${imagesRoot} (set PLAYGROUND_IMAGES)`);
  const dir = mkdtempSync(join(tmpdir(), 'semigan-bench-'));
  for (const cls of readdirSync(imagesRoot)
    .filter((c) => !c.startsWith('.'))
    .sort()) {
    for (const f of readdirSync(join(imagesRoot, cls)).sort().slice(0, PER_CLASS))
      cpSync(join(imagesRoot, cls, f), join(dir, 'photos', cls, f));
  }
  return join(dir, 'photos');
}

async function imagesView(browser: Browser, isolated: boolean, photos: string) {
  const { page, close } = await open(browser, isolated, '?view=images&backend=wasm&seed=1');
  try {
    type S = { images: number; step: number; backend: string; threads: number };
    const state = () => page.evaluate('window.semigan.images().state()') as Promise<S>;
    await page.selectOption('#img-size', '32');
    await page.selectOption('#img-batch', '32');
    await page.setInputFiles('#img-folder', photos);
    while ((await state()).images === 0) await page.waitForTimeout(200);
    await page.fill('#img-per-folder', '10');
    await page.click('#img-label-folders');
    await page.click('#img-play');
    const stepsPerSecond = await rate(page, state);
    const s = await state();
    return { stepsPerSecond, backend: s.backend, threads: s.threads, images: s.images };
  } finally {
    await close();
  }
}

const context = benchContext();
const load = [loadavg()[0]];
const photos = samplePhotos();
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const toy = await toyView(browser, true);
  const plain: Awaited<ReturnType<typeof imagesView>>[] = [];
  const isolated: typeof plain = [];
  for (let r = 0; r < ROUNDS; r++) {
    plain.push(await imagesView(browser, false, photos));
    isolated.push(await imagesView(browser, true, photos));
  }
  load.push(loadavg()[0]);
  const mean = (runs: typeof plain) =>
    Number((runs.reduce((a, r) => a + r.stepsPerSecond, 0) / runs.length).toFixed(2));
  const result = {
    bench: 'playground',
    stepsPerSecond: toy.stepsPerSecond,
    imagesStepsPerSecond: mean(isolated),
    imagesStepsPerSecondWithoutIsolation: mean(plain),
    imagesRuns: {
      isolated: isolated.map((r) => r.stepsPerSecond),
      notIsolated: plain.map((r) => r.stepsPerSecond),
    },
    imagesSetup: `${isolated[0].images} cats-dogs photos at 32×32, batch 32, K-logit-FM on photo-cnn (stem pooled from 32 px), 20 labels`,
    // tfjs-wasm's thread pool is half the cores (at most 4): 1 on a 2-core machine, so isolation adds none
    imagesThreads: isolated[0].threads,
    imagesThreadsWithoutIsolation: plain[0].threads,
    browser: `Chromium ${browser.version()} (headless)`,
    backend: toy.backend,
    accuracyAtEnd: toy.accuracy,
    stepsAtEnd: toy.step,
    // other work on the machine slows the page: the 1-minute load average at start and at end
    loadAverage: load.map((l) => Number(l.toFixed(1))),
    ...context,
  };
  writeFileAtomic(join(here, 'results', 'playground.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(result);
} finally {
  await browser.close();
  rmSync(join(photos, '..'), { recursive: true, force: true });
}
