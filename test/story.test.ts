import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_METHODS, runDemo } from '../src/experiments/demo.js';
import { CHROMIUM, haveBrowser } from './browser-helpers.js';
import { tempDir } from './helpers.js';

describe('semigan demo writes story.html: the talk told with the run’s own pictures', () => {
  it('tells every step with this run’s numbers and needs no files beside it', async () => {
    const out = tempDir('semigan-story-');
    const r = await runDemo({ out, seed: 2, steps: 40 });
    expect(Object.keys(r.methods)).toEqual(DEMO_METHODS);
    // every GAN method records its fakes in the gap; the baseline has no generator
    for (const m of ['gan', 'kplus1', 'klogit', 'klogit-fm', 'badgan'] as const)
      expect(r.methods[m]!.fakesInGap).toBeGreaterThanOrEqual(0);
    expect(r.methods.supervised!.fakesInGap).toBeUndefined();
    expect(r.methods.gan!.testAccuracy).toBeUndefined();
    const html = readFileSync(join(out, 'story.html'), 'utf8');
    const pictures = [
      r.dataPictures.labels,
      r.dataPictures.points,
      ...DEMO_METHODS.map((m) => r.methods[m]!.picture),
    ];
    for (const p of pictures) expect(html).toContain(`data-file="${p}"`);
    expect(html).toContain(`${(r.methods.badgan!.testAccuracy! * 100).toFixed(1)}%`);
    expect(html).toContain(
      `${(r.methods.badgan!.fakesInGap! * 100).toFixed(0)}% of its points lie in the low-density gap`,
    );
    // from a checkout the links reach the docs themselves, and the MNIST and photo sections by their anchors
    for (const doc of ['results.md', 'the-talk.md']) {
      const href = html.match(new RegExp(`href="(file:[^"#]*docs/${doc.replace('.', '\\.')})[#"]`))?.[1];
      expect(href, doc).toBeDefined();
      expect(existsSync(fileURLToPath(href!)), doc).toBe(true);
    }
    const results = readFileSync(fileURLToPath(new URL('../docs/results.md', import.meta.url)), 'utf8');
    // the anchors GitHub gives the headings: lower case, punctuation dropped, spaces as dashes
    const slugs = [...results.matchAll(/^#+ (.*)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    );
    const anchors = [...html.matchAll(/href="file:[^"#]*docs\/results\.md#([^"]+)"/g)].map((m) => m[1]);
    expect(anchors).toEqual(['mnist-100-labels-10-per-class', 'photos-cats-vs-dogs-100-labels']);
    for (const a of anchors) expect(slugs).toContain(a);
    // inlined pictures only: nothing is fetched from beside the page
    expect(html).not.toMatch(/src="(?!data:image\/png;base64,)/);
  }, 120_000);

  it('on another toy, claims only what was measured there: no gap, no rings finding', async () => {
    const out = tempDir('semigan-story-');
    const r = await runDemo({
      out,
      seed: 1,
      steps: 20,
      dataset: 'moons',
      methods: ['kplus1', 'klogit', 'badgan'],
    });
    expect(r.methods.badgan!.fakesInGap).toBeUndefined();
    // the words only: base64 pictures can hold any letters
    const text = readFileSync(join(out, 'story.html'), 'utf8').replace(/<img[^>]*>/g, '');
    expect(text).not.toContain('n/a');
    expect(text).not.toContain('On the rings');
    expect(text).toContain('its points go to low-density regions');
  }, 120_000);

  it.skipIf(!haveBrowser)(
    'opens from disk in Chromium with no console errors and every picture drawn',
    async () => {
      const out = tempDir('semigan-story-');
      const r = await runDemo({ out, seed: 1, steps: 20 });
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(pathToFileURL(join(out, 'story.html')).href);
        const images = await page.$$eval('img', (els) =>
          els.map((e) => {
            const img = e as HTMLImageElement;
            return { file: img.dataset.file, complete: img.complete, width: img.naturalWidth };
          }),
        );
        const expected = [
          r.dataPictures.labels,
          ...DEMO_METHODS.map((m) => r.methods[m]!.picture),
          r.dataPictures.points,
        ];
        expect(images.map((i) => i.file).sort()).toEqual(expected.sort());
        for (const i of images) expect([i.complete, i.width]).toEqual([true, 560]);
        expect(await page.locator('section h2').count()).toBeGreaterThanOrEqual(7);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
