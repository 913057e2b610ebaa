/// <reference lib="webworker" />
// Trains in a worker so the page stays responsive; the same library code as the CLI (src/core.ts).
import * as tf from '@tensorflow/tfjs';
import {
  makeToyDataset,
  splitDataset,
  makeToyTrainer,
  realFakeProbabilities,
  REAL_FAKE_NAMES,
  type Trainer,
} from '../../src/core.js';
import { carryOver } from './carry-over.js';
import { onMessagesInOrder, startBackend } from './worker-runtime.js';
import type { FromWorker, ToWorker, TrainSettings } from './protocol.js';

const post = (m: FromWorker, transfer: Transferable[] = []) =>
  (self as DedicatedWorkerGlobalScope).postMessage(m, transfer);
const GRID = 64;

let settings: TrainSettings | undefined;
let trainer: Trainer | undefined;
let pool: { x: Float32Array; y: Int32Array; classNames: string[] } | undefined;
let test: { x: Float32Array; y: Int32Array } | undefined;
let labeled: number[] = [];
let grid: Float32Array | undefined;
let bounds: [number, number, number, number] = [-1, 1, -1, 1];
let playing = false;
let backend = '';
let recent: number[] = [];
/** The page's run number: every message carries it, so the page can drop those of a run it has reset. */
let run = 0;

/** A trainer on the current labeled rows (the unlabeled pool and its order depend on the seed only). */
function makeRunTrainer(): Trainer {
  const s = settings!;
  const split = splitDataset(
    { name: s.dataset, featureShape: [2], x: pool!.x, y: pool!.y, classNames: pool!.classNames },
    { labeledPerClass: s.labelsPerClass, seed: s.seed, labeledRows: labeled },
  );
  return makeToyTrainer(
    s.method,
    { split, test: test!, record: split.record },
    { seed: s.seed, learningRate: s.learningRate },
  );
}

function build(): void {
  trainer?.dispose();
  trainer = makeRunTrainer();
}

/** New labels, same run: training goes on from where it is, with the new labeled set. */
function relabel(): void {
  const next = makeRunTrainer();
  carryOver(trainer!, next);
  trainer!.dispose();
  trainer = next;
}

function initData(): void {
  const s = settings!;
  const d = makeToyDataset(s.dataset, { perClass: 500, noise: s.noise, seed: s.seed });
  const t = makeToyDataset(s.dataset, { perClass: 500, noise: s.noise, seed: s.seed + 1_000_003 });
  pool = { x: d.x, y: d.y, classNames: d.classNames };
  test = { x: t.x, y: t.y };
  // the first labels: a balanced random draw, as the CLI makes
  labeled = [...splitDataset(d, { labeledPerClass: s.labelsPerClass, seed: s.seed }).labeled.ids].map(Number);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < d.y.length; i++) {
    [x0, x1] = [Math.min(x0, d.x[2 * i]), Math.max(x1, d.x[2 * i])];
    [y0, y1] = [Math.min(y0, d.x[2 * i + 1]), Math.max(y1, d.x[2 * i + 1])];
  }
  const mx = (x1 - x0) * 0.08;
  const my = (y1 - y0) * 0.08;
  bounds = [x0 - mx, x1 + mx, y0 - my, y1 + my];
  grid = new Float32Array(GRID * GRID * 2);
  for (let j = 0; j < GRID; j++)
    for (let i = 0; i < GRID; i++) {
      grid[2 * (j * GRID + i)] = bounds[0] + ((i + 0.5) / GRID) * (bounds[1] - bounds[0]);
      grid[2 * (j * GRID + i) + 1] = bounds[3] - ((j + 0.5) / GRID) * (bounds[3] - bounds[2]);
    }
  sendData();
}

function sendData(): void {
  post({
    type: 'data',
    run,
    points: pool!.x.slice(),
    classes: Array.from(pool!.y),
    // a plain GAN's map shows D's verdict, not classes, and it trains on no label
    classNames: settings!.method === 'gan' ? REAL_FAKE_NAMES : pool!.classNames,
    labeled: settings!.method === 'gan' ? [] : labeled.slice(),
    realFake: settings!.method === 'gan',
    bounds,
  });
}

function snapshot(rate: number): void {
  const t = trainer!;
  // the plain GAN reads no label and has no classifier: its map is D's real/fake verdict, its accuracy none
  const gan = settings!.method === 'gan';
  const probs = gan ? realFakeProbabilities(t, grid!) : t.predict(grid!).probs;
  const { d, g } = t.readLosses();
  const fakes = t.generator ? t.sample(200) : new Float32Array(0);
  post(
    {
      type: 'snapshot',
      run,
      step: t.stepCount,
      trainerLabeled: t.data.labeled.ids.map(Number),
      grid: probs,
      gridSize: GRID,
      fakes,
      accuracy: gan ? NaN : t.evaluate(test!.x, test!.y),
      dLoss: d,
      gLoss: g,
      stepsPerSecond: rate,
      backend,
      playing,
    },
    [probs.buffer, fakes.buffer],
  );
}

async function loop(): Promise<void> {
  let lastPost = 0;
  while (playing && trainer) {
    const t0 = performance.now();
    let n = 0;
    // train in slices of ~25 ms, then yield so messages (pause, clicks) get through
    while (performance.now() - t0 < 25) {
      trainer.step();
      n++;
    }
    trainer.readLosses();
    const now = performance.now();
    recent.push(now, n);
    while (recent.length > 2 && now - recent[0] > 2000) recent.splice(0, 2);
    const steps = recent.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0);
    const rate = steps / Math.max(1e-3, (now - recent[0] + (now - t0)) / 1000);
    if (now - lastPost > 100) {
      snapshot(rate);
      lastPost = now;
    }
    await new Promise((r) => setTimeout(r, 0));
  }
}

async function handle(m: ToWorker): Promise<void> {
  try {
    if (m.type === 'init') {
      playing = false;
      run = m.run;
      backend = await startBackend(m.backend, 'wasm');
      settings = m.settings;
      initData();
      build();
      snapshot(0);
    } else if (m.type === 'play' && trainer && !playing) {
      playing = true;
      recent = [];
      void loop();
    } else if (m.type === 'pause') {
      playing = false;
      if (trainer) snapshot(0);
    } else if (m.type === 'step' && trainer) {
      for (let i = 0; i < m.steps; i++) trainer.step();
      snapshot(0);
    } else if (m.type === 'toggle' && pool && settings?.method !== 'gan') {
      const at = labeled.indexOf(m.index);
      if (at >= 0 && labeled.length > 1) labeled.splice(at, 1);
      else if (at < 0) labeled.push(m.index);
      if (trainer) relabel();
      sendData();
      snapshot(0);
    }
  } catch (err) {
    post({ type: 'error', message: (err as Error).message });
  }
}

void tf;

onMessagesInOrder<ToWorker>(handle);
