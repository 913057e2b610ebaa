/**
 * Training steps per second of the browser playground (two rings, K-logit-FM) in headless Chromium, with the
 * page redrawing as it trains: `npm run bench:playground` → bench/results/playground.json.
 * Needs `npm run build` (web/dist) and Debian's chromium (CHROMIUM_PATH to use another).
 */
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { playgroundDir, serveStatic } from '../src/cli/playground-command.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext } from './machine.js';

const here = import.meta.dirname;
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const seconds = Number(process.env.PLAYGROUND_SECONDS ?? 20);
const context = benchContext();
const { server, url } = await serveStatic(playgroundDir(), '127.0.0.1', 0);
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  await page.goto(url);
  type S = { step: number; accuracy: number; backend: string };
  const state = () => page.evaluate(() => (window as unknown as { semigan: { state(): S } }).semigan.state());
  while (!(await state()).backend) await page.waitForTimeout(100);
  await page.click('#play');
  await page.waitForTimeout(3000); // warm-up
  const a = await state();
  const t0 = Date.now();
  await page.waitForTimeout(seconds * 1000);
  const b = await state();
  const stepsPerSecond = Number(((b.step - a.step) / ((Date.now() - t0) / 1000)).toFixed(1));
  const result = {
    bench: 'playground',
    stepsPerSecond,
    browser: `Chromium ${browser.version()} (headless)`,
    backend: b.backend,
    accuracyAtEnd: b.accuracy,
    stepsAtEnd: b.step,
    ...context,
  };
  writeFileAtomic(join(here, 'results', 'playground.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(result);
} finally {
  await browser.close();
  server.close();
}
