/// <reference lib="webworker" />
// Trains on the user's images off the main thread, with the library's photo preset (src/core.ts), as the CLI does.
import {
  Rng,
  accuracy,
  argmaxRows,
  classifierArtifacts,
  labeledRecord,
  photoPreset,
  takeRows,
  makeTrainer,
  IMAGES_DEFAULTS,
  defaultGanWeight,
  type Trainer,
} from '../../src/core.js';
import { carryOver } from './carry-over.js';
import { onMessagesInOrder, startBackend, wasmThreads } from './worker-runtime.js';
import type { ImagesFromWorker, ImagesToWorker } from './images-protocol.js';

const post = (m: ImagesFromWorker, transfer: Transferable[] = []) =>
  (self as DedicatedWorkerGlobalScope).postMessage(m, transfer);
const SAMPLES = 32;

type TrainMessage = Extract<ImagesToWorker, { type: 'train' }>;
interface Run {
  trainer: Trainer;
  msg: TrainMessage;
  heldOut: number[];
  trainRows: number[];
  /** Every image but the held-out ones, fixed for the run (relabeling changes the labeled set only). */
  unlabeledRows: number[];
  record: ReturnType<typeof labeledRecord>;
}

let backend = '';
let run: Run | undefined;
let playing = false;
let lastPredict = 0;

/**
 * A quarter of each class's labels (at least one when a class has two or more) is held out to measure
 * accuracy; the rest trains. Held-out images are not even unlabeled data for the run.
 */
function build(msg: TrainMessage): void {
  const { labels, classNames, settings } = msg;
  const rng = new Rng(settings.seed);
  const byClass: number[][] = classNames.map(() => []);
  labels.forEach((c, i) => c >= 0 && byClass[c].push(i));
  const empty = classNames.filter((_, c) => byClass[c].length === 0);
  if (classNames.length < 2) throw new Error('make at least two classes');
  if (empty.length) throw new Error(`label at least one image of: ${empty.join(', ')}`);
  const heldOut: number[] = [];
  const trainRows: number[] = [];
  for (const members of byClass) {
    const order = Array.from(rng.permutation(members.length), (j) => members[j]);
    const hold = members.length >= 2 ? Math.max(1, Math.round(members.length / 4)) : 0;
    heldOut.push(...order.slice(0, hold));
    trainRows.push(...order.slice(hold));
  }
  const held = new Set(heldOut);
  const unlabeledRows = Array.from(labels.keys()).filter((i) => !held.has(i));
  run?.trainer.dispose();
  run = undefined;
  run = makeRun(msg, heldOut, trainRows, unlabeledRows);
}

function makeRun(msg: TrainMessage, heldOut: number[], trainRows: number[], unlabeledRows: number[]): Run {
  const { labels, classNames, x, shape, settings } = msg;
  const size = shape[0] * shape[1] * shape[2];
  const ids = (r: number[]) => r.map((i) => msg.ids[i]);
  const y = Int32Array.from(trainRows, (i) => labels[i]);
  // a photo recipe's own GAN weight goes with its method, as in the CLI
  const ganWeight = defaultGanWeight(IMAGES_DEFAULTS, settings.method);
  const trainer = makeTrainer(
    settings.method,
    // no native kernels in a browser: pooling the stem from 32 px (the CLI pools from 64) makes a step 3.5×
    // faster at the view's default size, the network otherwise the CLI's
    photoPreset({ poolStemFrom: 32 }),
    {
      featureShape: shape,
      classNames,
      labeled: { x: takeRows(x, size, trainRows), y, ids: ids(trainRows) },
      unlabeled: { x: takeRows(x, size, unlabeledRows), ids: ids(unlabeledRows) },
    },
    {
      seed: settings.seed,
      batchSize: settings.batchSize,
      ...(ganWeight !== undefined ? { ganWeight } : {}),
    },
  );
  const record = labeledRecord(ids(trainRows), y, classNames, settings.seed);
  return { trainer, msg, heldOut, trainRows, unlabeledRows, record };
}

/**
 * New labels, same run (training goes on from its step). The held-out set only shrinks: an image once
 * held out (never seen, not even unlabeled) may later train, but an image the run has seen never becomes
 * held out, so the held-out accuracy stays honest. Newly labeled images therefore all train.
 */
function relabel(labels: Int32Array): void {
  const r = run!;
  const held = new Set(r.heldOut);
  const heldOut = r.heldOut.filter((i) => labels[i] >= 0);
  const trainRows = Array.from(labels.keys()).filter((i) => labels[i] >= 0 && !held.has(i));
  if (!trainRows.length) throw new Error('keep at least one labeled image for training');
  const next = makeRun({ ...r.msg, labels }, heldOut, trainRows, r.unlabeledRows);
  carryOver(r.trainer, next.trainer);
  r.trainer.dispose();
  run = next;
}

function heldOutAccuracy(): number {
  const { trainer, msg, heldOut } = run!;
  if (!heldOut.length) return NaN;
  const size = msg.shape[0] * msg.shape[1] * msg.shape[2];
  const truth = Int32Array.from(heldOut, (i) => msg.labels[i]);
  const { probs, numClasses } = trainer.predict(takeRows(msg.x, size, heldOut));
  return accuracy(argmaxRows(probs, numClasses), truth);
}

function snapshot(rate: number, withPredictions: boolean): void {
  const { trainer, msg, heldOut, trainRows } = run!;
  const { d, g } = trainer.readLosses();
  const samples = trainer.sample(SAMPLES);
  const predictions = withPredictions ? trainer.predict(msg.x).probs : undefined;
  if (withPredictions) lastPredict = performance.now();
  post(
    {
      type: 'snapshot',
      run: msg.run,
      step: trainer.stepCount,
      epoch: trainer.epoch,
      heldOutAccuracy: heldOutAccuracy(),
      heldOut,
      trainLabeled: trainRows.length,
      dLoss: d,
      gLoss: g,
      samples,
      predictions,
      stepsPerSecond: rate,
      backend,
      threads: wasmThreads(),
      playing,
    },
    [samples.buffer, ...(predictions ? [predictions.buffer] : [])],
  );
}

async function loop(): Promise<void> {
  let lastPost = 0;
  let steps = 0;
  let since = performance.now();
  while (playing && run) {
    const t0 = performance.now();
    // train in slices of ~150 ms, then yield so messages (pause, export) get through
    while (performance.now() - t0 < 150) {
      run.trainer.step();
      steps++;
    }
    run.trainer.readLosses();
    const now = performance.now();
    if (now - lastPost > 700) {
      const rate = steps / Math.max(1e-3, (now - since) / 1000);
      // predictions for every image are the costly part: every few seconds while training
      snapshot(rate, now - lastPredict > 4000);
      [lastPost, steps, since] = [performance.now(), 0, performance.now()];
    }
    await new Promise((r) => setTimeout(r, 0));
  }
}

async function handle(m: ImagesToWorker): Promise<void> {
  try {
    if (m.type === 'train') {
      playing = false;
      backend = await startBackend(m.backend, 'auto');
      build(m);
      snapshot(0, true);
    } else if (m.type === 'play' && run && !playing) {
      playing = true;
      void loop();
    } else if (m.type === 'pause') {
      playing = false;
      if (run) snapshot(0, true);
    } else if (m.type === 'step' && run) {
      for (let i = 0; i < m.steps; i++) run.trainer.step();
      snapshot(0, true);
    } else if (m.type === 'labels' && run) {
      relabel(m.labels);
      snapshot(0, !playing);
    } else if (m.type === 'inspect' && run) {
      const { trainer, msg, heldOut } = run;
      const data = trainer.data;
      post({
        type: 'inspect',
        run: msg.run,
        heldOut: heldOut.map((i) => msg.ids[i]),
        labeled: data.labeled.ids.slice(),
        unlabeled: data.unlabeled.ids.slice(),
      });
    } else if (m.type === 'export' && run) {
      const { trainer, msg, record } = run;
      const acc = heldOutAccuracy();
      const { json, weights } = await classifierArtifacts(trainer.discriminator, {
        classNames: msg.classNames,
        inputShape: msg.shape,
        input: { kind: 'image', range: [-1, 1] },
        method: msg.settings.method,
        data: `browser:images (${msg.ids.length} images)`,
        ...(Number.isFinite(acc) ? { testAccuracy: acc } : {}),
        labeledSubset: record,
      });
      const buf = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
      post({ type: 'export', run: msg.run, json, weights: buf as ArrayBuffer, heldOutAccuracy: acc }, [
        buf as ArrayBuffer,
      ]);
    }
  } catch (err) {
    playing = false;
    post({ type: 'error', message: (err as Error).message });
  }
}

onMessagesInOrder<ImagesToWorker>(handle);
