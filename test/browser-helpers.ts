import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { playgroundDir, serveStatic } from '../src/cli/playground-command.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
export const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

/** The built playground served locally, open in headless Chromium, with console errors collected. */
export async function openPlayground(query = ''): Promise<{
  browser: Browser;
  page: Page;
  url: string;
  errors: string[];
  close(): Promise<void>;
}> {
  if (!existsSync(join(playgroundDir(), 'index.html'))) throw new Error('run npm run build first');
  const { server, url } = await serveStatic(playgroundDir(), '127.0.0.1', 0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 }, acceptDownloads: true });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url + query);
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    browser,
    page,
    url,
    errors,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}

/** Polls `read` until `ok` holds or `ms` pass; returns the last value read. */
export async function pollUntil<T>(page: Page, read: () => Promise<T>, ok: (s: T) => boolean, ms: number) {
  const end = Date.now() + ms;
  let s = await read();
  while (!ok(s) && Date.now() < end) {
    await page.waitForTimeout(250);
    s = await read();
  }
  return s;
}
