import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DemoResult, MethodResult } from '../experiments/demo.js';
import type { MethodName } from '../train/methods.js';

/** The words that mark a story page as the demo's own (output-dir tells a demo folder by them). */
export const STORY_SIGNATURE = 'Written by semigan demo';

/**
 * A link to one of semigan's docs: from a checkout, the file beside dist/; an installed package ships no docs, so
 * there the page names the file in semigan's sources instead of linking to nothing.
 */
function docsLink(name: string, section?: { title: string; anchor: string }): string {
  const url = new URL(`../../docs/${name}`, import.meta.url);
  // the words name the section too: a browser opening the .md from disk does not jump to the anchor
  const where = section ? `docs/${name}, section “${section.title}”` : `docs/${name}`;
  return existsSync(fileURLToPath(url))
    ? // the link points into the checkout the demo ran from; the words still say where to look once the page moves
      `<a href="${url.href}${section ? `#${section.anchor}` : ''}">${where}</a> in semigan's sources`
    : `${where} in semigan's source repository`;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (x: number | undefined, digits = 1) =>
  x === undefined ? 'n/a' : `${(x * 100).toFixed(digits)}%`;

interface Chapter {
  title: string;
  pictures: string[];
  text: string;
}

/** The talk's sequence, one chapter per step whose method ran, with this run's numbers. */
function chapters(r: DemoResult): Chapter[] {
  const m = r.methods;
  const n = r.labeledSubset.count;
  const has = (...ms: MethodName[]) => ms.every((x) => m[x]);
  const acc = (x: MethodName) => pct(m[x]?.testAccuracy);
  const gap = (x: MethodName) => pct(m[x]?.fakesInGap, 0);
  const pic = (x: MethodName) => (m[x] as MethodResult).picture;
  const out: Chapter[] = [
    {
      title: 'A few labels',
      pictures: [r.dataPictures.labels],
      text: `${n} labeled points, ${r.labeledPerClass} per class. This is all a supervised classifier gets to see.`,
    },
  ];
  if (has('supervised'))
    out.push({
      title: 'Supervised training draws a boundary from the labels alone',
      pictures: [pic('supervised')],
      text: `Trained on the ${n} labels only: ${acc('supervised')} on ${r.testExamples} test points. Nothing tells it where the classes lie between the labels.`,
    });
  out.push({
    title: 'The unlabeled points show the structure',
    pictures: [r.dataPictures.points],
    text: `The same labels with ${r.unlabeled} unlabeled points: the classes are plain to see, and the boundary belongs where there are no points.`,
  });
  if (has('gan'))
    out.push({
      title: 'A GAN learns the distribution of the unlabeled points',
      pictures: [pic('gan')],
      text: `A plain GAN uses no labels. Its discriminator tells real from fake (the shading), and its generated points (×) learn to lie on the data${m.gan?.fakesInGap === undefined ? '' : `: ${gap('gan')} of them fall in the gap between the rings`}.`,
    });
  const heads = (['kplus1', 'klogit', 'klogit-fm'] as MethodName[]).filter((x) => m[x]);
  if (heads.length)
    out.push({
      title: 'The discriminator becomes the classifier: naive K+1 head vs K-logit head',
      pictures: heads.map(pic),
      text:
        `K classes plus "fake": ${heads.map((x) => `${x} ${acc(x)}`).join(', ')}. ` +
        'The naive head learns a free fake logit; the K-logit head fixes it at 0, so D(x) = Z/(Z+1).' +
        // the seeds-1–5 finding is the rings'; on another toy it would be a claim nobody measured
        (r.dataset === 'rings'
          ? ' On the rings, over seeds 1–5, only the K+1 heads miss (kplus1 on one seed of five, kplus1-fm on two), and the cause is their labeled cross-entropy over K+1 classes, which adds a "this is real" term on the few labeled points: docs/the-talk.md has the numbers.'
          : ''),
    });
  if (has('badgan'))
    out.push({
      title: 'Bad GAN: a complement generator puts its fakes between the classes',
      pictures: [pic('badgan')],
      text: `Bad GAN's generator is trained to be "bad": ${m.badgan?.fakesInGap === undefined ? 'its points go to low-density regions' : `${gap('badgan')} of its points lie in the low-density gap`}, where the discriminator learns to call them fake, so the class boundary settles there. Test accuracy ${acc('badgan')}${m['klogit-fm']?.fakesInGap === undefined ? '' : `; K-logit with feature matching puts ${gap('klogit-fm')} of its fakes in the gap`}.`,
    });
  return out;
}

/**
 * story.html: the talk told with one demo run's own pictures (inlined as data: URIs, so the page opens from
 * disk on its own) and numbers, and links to the MNIST and photo results.
 */
export function storyHtml(r: DemoResult, pngs: Map<string, Buffer>): string {
  const img = (file: string) => {
    const png = pngs.get(file);
    return png
      ? `<img src="data:image/png;base64,${png.toString('base64')}" alt="${esc(file)}" data-file="${esc(file)}">`
      : '';
  };
  const body = chapters(r)
    .map(
      (c, i) =>
        `<section><h2>${i + 1}. ${esc(c.title)}</h2><div class="pics">${c.pictures.map(img).join('')}</div><p>${esc(c.text)}</p></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>semigan: the talk, on ${esc(r.dataset)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
.pics{display:flex;flex-wrap:wrap;gap:12px}.pics img{width:360px;height:auto;border:1px solid #ddd}
section{margin-bottom:2em}footer{color:#555;font-size:14px}
</style></head><body>
<h1>Semi-supervised learning with GANs: the talk, told by one run</h1>
<p>One run of <code>semigan demo</code>: ${esc(r.dataset)}, seed ${r.seed}, ${r.steps} steps per method, backend ${esc(r.backend)}. The figures are this seed's; they can differ by a few points on another CPU or kernel set. Means over seeds are in ${docsLink('the-talk.md')}.</p>
${body}
<section><h2>Beyond the plane</h2><p>The same methods on MNIST with 100 labels (${docsLink('results.md', { title: 'MNIST, 100 labels', anchor: 'mnist-100-labels-10-per-class' })}) and on cats vs dogs photos with 100 labels (${docsLink('results.md', { title: 'Photos: cats vs dogs, 100 labels', anchor: 'photos-cats-vs-dogs-100-labels' })}).</p></section>
<footer>${STORY_SIGNATURE}; the pictures are embedded, so this page needs no server.</footer>
</body></html>
`;
}
