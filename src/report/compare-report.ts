import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { featureSize, takeRows } from '../data/dataset.js';
import { inputOf, parseDataSpec } from '../data/spec.js';
import type { CompareResult, CompareRun } from '../experiments/compare-types.js';
import { readMetrics } from '../train/run.js';
import { gainWithSpread, percentWithSpread } from '../util/stats.js';
import { cssColor } from './palette.js';
import { sampleGridPng } from './sample-grid.js';

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pngUri = (b: Buffer) => `data:image/png;base64,${b.toString('base64')}`;

/** Test accuracy per epoch, one line per run, colored by method; one chart per label strategy. */
function curvesSvg(result: CompareResult, out: string, select: string, methods: string[]): string {
  const W = 460;
  const H = 260;
  const m = { l: 44, r: 12, t: 12, b: 32 };
  const runs = result.runs.filter((r) => r.select === select);
  const series = runs.map((r) => ({
    r,
    accs: readMetrics(join(out, r.dir))?.epochs.map((e) => e.testAccuracy) ?? [],
  }));
  const maxE = Math.max(1, ...series.map((s) => s.accs.length));
  const all = series.flatMap((s) => s.accs);
  const lo = Math.max(0, Math.floor((Math.min(1, ...all) - 0.02) * 20) / 20);
  const x = (e: number) => m.l + ((e - 1) / Math.max(1, maxE - 1)) * (W - m.l - m.r);
  const y = (a: number) => H - m.b - ((a - lo) / (1 - lo)) * (H - m.t - m.b);
  const lines = series.map(({ r, accs }) => {
    const c = cssColor(methods.indexOf(r.method));
    const pts = accs.map((a, i) => `${x(i + 1).toFixed(1)},${y(a).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${c}" stroke-width="1.5" opacity="0.8" points="${pts}"><title>${esc(r.method)} seed ${r.seed}</title></polyline>`;
  });
  const ticks = [lo, (lo + 1) / 2, 1].map(
    (a) =>
      `<text x="${m.l - 4}" y="${y(a) + 4}" text-anchor="end" font-size="11">${(a * 100).toFixed(0)}%</text>`,
  );
  const legend = methods.map(
    (mm, i) =>
      `<text x="${m.l + 8 + i * 100}" y="${m.t + 12}" font-size="12" fill="${cssColor(i)}">${esc(mm)}</text>`,
  );
  return (
    `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">` +
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fafafa" stroke="#ccc"/>` +
    ticks.join('') +
    `<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="11">epoch (1–${maxE})</text>` +
    lines.join('') +
    legend.join('') +
    `</svg>`
  );
}

function lastSamples(dir: string): Buffer | null {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .map((f) => /^samples-(\d+)\.png$/.exec(f))
    .filter((mm): mm is RegExpExecArray => !!mm)
    .sort((a, b) => Number(b[1]) - Number(a[1]));
  return files.length ? readFileSync(join(dir, files[0][0])) : null;
}

function confusionTable(cm: number[][] | undefined, classNames: string[]): string {
  if (!cm) return '<p>(no confusion matrix)</p>';
  const head = `<tr><th>true \\ pred</th>${classNames.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = cm.map(
    (row, i) => `<tr><th>${esc(classNames[i])}</th>${row.map((v) => `<td>${v}</td>`).join('')}</tr>`,
  );
  return `<table class="cm">${head}${rows.join('')}</table>`;
}

/** Labeled examples as pictures: a tile grid for images, a scatter over the pool for 2-D points. */
function labeledPicture(train: Dataset, ids: string[], range: [number, number]): string {
  const all = train.ids ?? [];
  const rowOf = new Map(all.map((id, i) => [id, i]));
  const rows = ids.map((id) => rowOf.get(id) ?? Number(id)).filter((r) => Number.isFinite(r));
  const size = featureSize(train.featureShape);
  if (train.featureShape.length === 3) {
    const x = takeRows(train.x, size, rows);
    return `<img src="${pngUri(sampleGridPng(x, train.featureShape, 20, range))}" alt="labeled examples">`;
  }
  if (size !== 2) return '';
  const n = train.y.length;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    [x0, x1] = [Math.min(x0, train.x[2 * i]), Math.max(x1, train.x[2 * i])];
    [y0, y1] = [Math.min(y0, train.x[2 * i + 1]), Math.max(y1, train.x[2 * i + 1])];
  }
  const S = 260;
  const px = (v: number) => (8 + ((v - x0) / (x1 - x0)) * (S - 16)).toFixed(1);
  const py = (v: number) => (S - 8 - ((v - y0) / (y1 - y0)) * (S - 16)).toFixed(1);
  const dots: string[] = [];
  for (let i = 0; i < n; i++)
    dots.push(`<circle cx="${px(train.x[2 * i])}" cy="${py(train.x[2 * i + 1])}" r="1.3" fill="#bbb"/>`);
  for (const r of rows) {
    const c = cssColor(train.y[r]);
    dots.push(
      `<circle cx="${px(train.x[2 * r])}" cy="${py(train.x[2 * r + 1])}" r="5" fill="${c}" stroke="#000"/>`,
    );
  }
  return `<svg width="${S}" height="${S}" xmlns="http://www.w3.org/2000/svg">${dots.join('')}</svg>`;
}

/** What the gain under each cell is, when the grid has a supervised baseline to pair with. */
function gainNote(result: CompareResult): string {
  if (!result.runs.some((r) => r.method === 'supervised')) return '';
  return (
    'Under each method, its gain over supervised training in percentage points: the difference on the same ' +
    'labeled set, seed by seed, then mean ± sample SD (SE) of those differences. '
  );
}

/** How the reported epoch was chosen, as the runs' settings say. */
function protocol(result: CompareResult): string {
  const validated = result.runs.some((r) => (r.settings?.validationPerClass ?? 0) > 0);
  return validated
    ? 'The supervised baseline reports the epoch with the best accuracy on a held-out labeled validation split ' +
        '(early stopping); the other methods report their last epoch.'
    : 'No validation labels: every method reports its last epoch.';
}

const commitsOf = (r: CompareRun) =>
  [...new Set((r.code ?? []).map((c) => `${c.commit.slice(0, 10)}${c.dirty ? '+dirty' : ''}`))].join(' ');

/** The headline table: mean ± sample SD (and SE) per strategy and method, and the labels each strategy read. */
function summaryTable(result: CompareResult, methods: string[], selects: string[]): string {
  const cell = (s: string, mm: string) => {
    const v = result.summary[s]?.[mm];
    if (!v) return '';
    const gain = v.gainOverSupervised
      ? `<br><small>${gainWithSpread(v.gainOverSupervised)} over supervised</small>`
      : '';
    return percentWithSpread(v.meanTestAccuracy, v.stdTestAccuracy, v.seTestAccuracy) + gain;
  };
  const labelsRead = (s: string) =>
    [...new Set(Object.values(result.summary[s] ?? {}).flatMap((c) => c.labelsRead ?? []))].join('/');
  return (
    `<table><tr><th>labels chosen</th>${methods.map((mm) => `<th>${esc(mm)}</th>`).join('')}<th>labels read</th></tr>` +
    selects
      .map(
        (s) =>
          `<tr><th>${esc(s)}</th>${methods.map((mm) => `<td>${cell(s, mm)}</td>`).join('')}<td>${labelsRead(s)}</td></tr>`,
      )
      .join('') +
    `</table>`
  );
}

/** One line of the every-run table. */
function runRow(r: CompareRun): string {
  return (
    `<tr><td>${esc(r.select)}</td><td>${esc(r.method)}</td><td>${r.seed}</td><td>${(r.testAccuracy * 100).toFixed(2)}%</td>` +
    `<td>${r.epochs}${r.selectedEpoch !== undefined ? ` (best validation: ${r.selectedEpoch})` : ''}</td>` +
    `<td>${Object.entries(r.labeledSubset.perClass)
      .map(([c, n]) => `${esc(c)} ${n}`)
      .join(', ')}</td>` +
    `<td>${r.labelsRead ?? '?'}</td>` +
    `<td><code>${r.labeledSubset.idsSha256.slice(0, 12)}</code></td>` +
    `<td><code>${esc(commitsOf(r))}</code></td></tr>`
  );
}

/** report.html: accuracy table, learning curves, generated samples, the chosen labels, confusion matrices. */
export function compareReportHtml(result: CompareResult, out: string, train: Dataset): string {
  const methods = [...new Set(result.runs.map((r) => r.method))];
  const selects = Object.keys(result.summary);
  const table = summaryTable(result, methods, selects);
  const seeds = [...new Set(result.runs.map((r) => r.seed))].sort((a, b) => a - b);
  const hasDir = (r: CompareRun) => readMetrics(join(out, r.dir)) !== null;
  /**
   * The seed whose pictures a strategy shows: the first with every run directory present. Runs carried over
   * from committed results (a bench spanning machines) keep their figures but not their directories.
   */
  const shownSeed = (s: string) => {
    const runsOf = (seed: number) => result.runs.filter((r) => r.select === s && r.seed === seed);
    return (
      seeds.find((seed) => runsOf(seed).length > 0 && runsOf(seed).every(hasDir)) ??
      seeds.find((seed) => runsOf(seed).some(hasDir)) ??
      seeds[0]
    );
  };
  const input = inputOf(parseDataSpec(result.dataset));
  const range = input.kind === 'image' ? input.range : ([0, 1] as [number, number]);
  const curvesNote = (s: string) => {
    const runs = result.runs.filter((r) => r.select === s);
    const missing = runs.filter((r) => !hasDir(r)).length;
    return missing
      ? `${runs.length - missing} of ${runs.length} runs; the others ran elsewhere`
      : 'every seed';
  };
  const sections = selects.map((s) => {
    const shown = shownSeed(s);
    const samples = methods
      .map((mm) => {
        const run = result.runs.find((r) => r.select === s && r.method === mm && r.seed === shown);
        const png = run ? lastSamples(join(out, run.dir)) : null;
        return png
          ? `<figure><img src="${pngUri(png)}" alt="samples ${esc(mm)}"><figcaption>${esc(mm)}</figcaption></figure>`
          : '';
      })
      .join('');
    const cms = methods
      .map((mm) => {
        const run = result.runs.find((r) => r.select === s && r.method === mm && r.seed === shown);
        const metrics = run ? readMetrics(join(out, run.dir)) : null;
        return `<figure>${confusionTable(metrics?.confusion, train.classNames)}<figcaption>${esc(mm)}</figcaption></figure>`;
      })
      .join('');
    const labeled = result.labeledSets[`${s}-seed${shown}`]?.map((e) => e.id) ?? [];
    return (
      `<h2>Labels chosen: ${esc(s)}</h2>` +
      `<h3>Test accuracy per epoch (${curvesNote(s)})</h3>${curvesSvg(result, out, s, methods)}` +
      `<h3>The ${labeled.length} labeled examples (seed ${shown})</h3>${labeledPicture(train, labeled, range)}` +
      (samples
        ? `<h3>Generated samples (seed ${shown}, last epoch)</h3><div class="row">${samples}</div>`
        : '') +
      `<h3>Confusion matrices (seed ${shown}, test set)</h3><div class="row">${cms}</div>`
    );
  });
  const runRows = result.runs.map(runRow).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>semigan compare: ${esc(result.dataset)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}.row{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0}figcaption{text-align:center;font-size:13px}img{image-rendering:pixelated}</style></head><body>
<h1>semigan compare</h1><p>${esc(result.dataset)}, ${result.labels} labeled examples per run; test accuracy, mean ± sample
standard deviation (n − 1) over seeds, with the standard error of the mean (SE = SD / √n). Within a seed every method trains on the same labeled set. ${gainNote(result)}${protocol(result)}
"Labels read" counts every label looked up: the labeled set, labels read to balance classes, validation labels.</p>
${table}${sections.join('')}
<h2>Every run</h2><table><tr><th>labels</th><th>method</th><th>seed</th><th>test accuracy</th><th>epochs</th><th>labeled per class</th><th>labels read</th><th>labeled ids sha256</th><th>commits</th></tr>${runRows}</table>
</body></html>
`;
}
