import { colorOf, cssColor } from '../../src/report/palette.js';
import { hasGenerator } from '../../src/core.js';
import { drawCurves, type ChartState, type HistoryPoint } from './curves.js';
import { fillMethodSelect, TOY_METHODS } from './method-options.js';
import type { FromWorker, ToWorker, TrainSettings } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const boundary = $<HTMLCanvasElement>('boundary');
const curves = $<HTMLCanvasElement>('curves');
fillMethodSelect($<HTMLSelectElement>('method'), TOY_METHODS);

let worker: Worker;
const params = new URLSearchParams(location.search);

let data: Extract<FromWorker, { type: 'data' }> | undefined;
let snap: Extract<FromWorker, { type: 'snapshot' }> | undefined;
const history: HistoryPoint[] = [];
let chart: ChartState = { points: 0, firstStep: 0, lastStep: 0 };
let playing = false;
/** This page's current run; messages of earlier runs (still in flight at a reset) are dropped. */
let run = 0;

const send = (m: ToWorker) => worker.postMessage(m);

function settings(): TrainSettings {
  return {
    dataset: $<HTMLSelectElement>('dataset').value as TrainSettings['dataset'],
    method: $<HTMLSelectElement>('method').value as TrainSettings['method'],
    labelsPerClass: Math.max(1, Math.min(50, Number($<HTMLInputElement>('labels').value) || 4)),
    noise: Number($<HTMLInputElement>('noise').value),
    learningRate: Number($<HTMLSelectElement>('lr').value),
    seed: Number(params.get('seed') ?? 1),
  };
}

function reset(): void {
  run++;
  history.length = 0;
  snap = undefined;
  playing = false;
  $('play').textContent = 'play';
  $('step').textContent = '0';
  $('accuracy').textContent = '–';
  $('rate').textContent = '–';
  send({ type: 'init', settings: settings(), backend: params.get('backend') ?? undefined, run });
  requestAnimationFrame(drawHistory);
}

/** Class colours of the heat map and the marks on it. */
function renderLegend(classNames: string[], realFake: boolean): void {
  const item = (html: string) => Object.assign(document.createElement('span'), { innerHTML: html });
  $('legend').replaceChildren(
    ...classNames.map((name, c) => {
      const el = item(`<i style="background:${cssColor(c)}"></i>`);
      el.append(name);
      el.dataset.class = name;
      return el;
    }),
    item(
      realFake
        ? "shade: D's verdict, real or fake (stronger = surer)"
        : 'shade: predicted class (stronger = surer)',
    ),
    item(
      realFake
        ? 'dot: real (no labels) · ×: generated'
        : 'big dot: labeled · small: unlabeled · ×: generated',
    ),
  );
}

const toCanvas = (x: number, y: number): [number, number] => {
  const [x0, x1, y0, y1] = data!.bounds;
  return [((x - x0) / (x1 - x0)) * boundary.width, ((y1 - y) / (y1 - y0)) * boundary.height];
};

function drawBoundary(): void {
  const ctx = boundary.getContext('2d')!;
  ctx.clearRect(0, 0, boundary.width, boundary.height);
  if (!data) return;
  const k = data.classNames.length;
  if (snap) {
    const n = snap.gridSize;
    const img = new ImageData(n, n);
    for (let p = 0; p < n * n; p++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (snap.grid[p * k + c] > snap.grid[p * k + best]) best = c;
      const conf = (snap.grid[p * k + best] - 1 / k) / (1 - 1 / k);
      const [r, g, b] = colorOf(best);
      img.data.set([r, g, b, Math.round(40 + 130 * conf)], p * 4);
    }
    const tmp = new OffscreenCanvas(n, n);
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tmp, 0, 0, boundary.width, boundary.height);
  }
  ctx.fillStyle = 'rgba(60,60,60,0.45)';
  for (let i = 0; i < data.classes.length; i++) {
    const [x, y] = toCanvas(data.points[2 * i], data.points[2 * i + 1]);
    ctx.fillRect(x - 1.2, y - 1.2, 2.4, 2.4);
  }
  if (snap?.fakes.length) {
    ctx.strokeStyle = 'rgba(0,0,0,0.7)';
    ctx.lineWidth = 1;
    for (let i = 0; i < snap.fakes.length / 2; i++) {
      const [x, y] = toCanvas(snap.fakes[2 * i], snap.fakes[2 * i + 1]);
      ctx.beginPath();
      ctx.moveTo(x - 3, y - 3);
      ctx.lineTo(x + 3, y + 3);
      ctx.moveTo(x + 3, y - 3);
      ctx.lineTo(x - 3, y + 3);
      ctx.stroke();
    }
  }
  for (const i of data.labeled) {
    const [x, y] = toCanvas(data.points[2 * i], data.points[2 * i + 1]);
    ctx.fillStyle = cssColor(data.classes[i]);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, y, 7, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

function drawHistory(): void {
  const method = $<HTMLSelectElement>('method').value as TrainSettings['method'];
  chart = drawCurves(curves, history, 'test accuracy', hasGenerator(method));
}

function onMessage(e: MessageEvent<FromWorker>): void {
  const m = e.data;
  if (m.type === 'error') {
    console.error(`training worker: ${m.message}`);
    return;
  }
  if (m.run !== run) return;
  if (m.type === 'data') {
    if (data?.classNames.join() !== m.classNames.join()) renderLegend(m.classNames, m.realFake);
    data = m;
    $('labeled').textContent = String(m.labeled.length);
  } else {
    snap = m;
    history.push({ step: m.step, d: m.dLoss, g: m.gLoss, acc: m.accuracy });
    if (history.length > 600) history.splice(0, history.length - 600);
    $('step').textContent = String(m.step);
    // a plain GAN is no classifier: it has no accuracy to show
    $('accuracy').textContent = Number.isFinite(m.accuracy) ? `${(m.accuracy * 100).toFixed(1)}%` : '–';
    $('rate').textContent = m.stepsPerSecond ? m.stepsPerSecond.toFixed(0) : '–';
    $('backend').textContent = m.backend;
  }
  requestAnimationFrame(() => {
    drawBoundary();
    drawHistory();
  });
}

$('play').onclick = () => {
  playing = !playing;
  $('play').textContent = playing ? 'pause' : 'play';
  send({ type: playing ? 'play' : 'pause' });
};
$('step-btn').onclick = () => send({ type: 'step', steps: 10 });
$('reset').onclick = reset;
for (const id of ['dataset', 'method', 'labels', 'noise', 'lr']) $(id).onchange = reset;

boundary.onclick = (ev) => {
  if (!data) return;
  const rect = boundary.getBoundingClientRect();
  const cx = ((ev.clientX - rect.left) / rect.width) * boundary.width;
  const cy = ((ev.clientY - rect.top) / rect.height) * boundary.height;
  let best = -1;
  let bestD = 12 ** 2;
  for (let i = 0; i < data.classes.length; i++) {
    const [x, y] = toCanvas(data.points[2 * i], data.points[2 * i + 1]);
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  }
  if (best >= 0) send({ type: 'toggle', index: best });
};

/** Starts the 2-D view's worker and controls; returns what tests and the bench read. */
export function startToyView() {
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = onMessage;
  reset();
  return {
    state: () => ({
      step: snap?.step ?? 0,
      accuracy: snap?.accuracy ?? 0,
      rate: snap?.stepsPerSecond ?? 0,
      labeled: data?.labeled.length ?? 0,
      backend: snap?.backend ?? '',
      playing,
      /** What the running trainer trains on (pool rows), as its last snapshot reported. */
      trainerLabeled: snap?.trainerLabeled ?? [],
      chart,
      shownStep: $('step').textContent,
      shownAccuracy: $('accuracy').textContent,
      fakes: (snap?.fakes.length ?? 0) / 2,
      legend: Array.from(
        document.querySelectorAll<HTMLElement>('#legend [data-class]'),
        (e) => e.dataset.class,
      ),
    }),
    pointOnCanvas: (i: number) => (data ? toCanvas(data.points[2 * i], data.points[2 * i + 1]) : null),
    /** An unlabeled point with no other point within 6 px, so a click on it cannot pick a neighbour. */
    unlabeledIndex: () => {
      if (!data) return -1;
      const d = data;
      const at = d.classes.map((_, i) => toCanvas(d.points[2 * i], d.points[2 * i + 1]));
      const alone = (i: number) =>
        at.every(([x, y], j) => j === i || (x - at[i][0]) ** 2 + (y - at[i][1]) ** 2 > 36);
      return d.classes.findIndex((_, i) => !d.labeled.includes(i) && alone(i));
    },
  };
}
