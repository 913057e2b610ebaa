import { assignValues } from '../nets/params.js';
import { SemiganError } from '../errors.js';
import type { RngState } from '../random.js';
import type { Adam } from './adam.js';
import type { IndexStream } from './batches.js';
import type { Trainer } from './trainer.js';

type Blobs = Map<string, { shape: number[]; data: Float32Array }>;

export interface TrainerStateMeta {
  step: number;
  rng: RngState;
  streams: Record<string, ReturnType<IndexStream['save']>>;
  optimizers: Record<string, { step: number; learningRate: number }>;
  averageSteps: number;
}

function optimizers(t: Trainer): [string, Adam][] {
  return t.optG
    ? [
        ['optD', t.optD],
        ['optG', t.optG],
      ]
    : [['optD', t.optD]];
}

function streams(t: Trainer): [string, IndexStream][] {
  const s: [string, IndexStream | undefined][] = [
    ['labeled', t.labeledStream],
    ['unlabeled', t.unlabeledStream],
    ['generator', t.generatorStream],
  ];
  return s.filter((e): e is [string, IndexStream] => e[1] !== undefined);
}

/**
 * Everything needed to continue a run exactly: weights, optimizer moments, the weight average, the RNG,
 * the position in each batch stream, the step count.
 */
export function captureTrainerState(t: Trainer): { meta: TrainerStateMeta; blobs: Blobs } {
  const blobs: Blobs = new Map();
  for (const store of [t.discriminator.params, t.generator?.params]) {
    for (const p of store?.save() ?? [])
      blobs.set(`param:${p.name}`, { shape: p.shape, data: Float32Array.from(p.data) });
  }
  const optimizerMeta: TrainerStateMeta['optimizers'] = {};
  for (const [name, opt] of optimizers(t)) {
    const s = opt.save();
    optimizerMeta[name] = { step: s.step, learningRate: s.learningRate };
    for (const [kind, map] of [
      ['m', s.m],
      ['v', s.v],
    ] as const) {
      for (const [k, data] of Object.entries(map))
        blobs.set(`${name}/${kind}:${k}`, { shape: [data.length], data: Float32Array.from(data) });
    }
  }
  for (const [k, a] of t.average?.tensors() ?? [])
    blobs.set(`average:${k}`, { shape: a.shape, data: a.dataSync() as Float32Array });
  return {
    meta: {
      step: t.stepCount,
      rng: t.rng.getState(),
      streams: Object.fromEntries(streams(t).map(([n, s]) => [n, s.save()])),
      optimizers: optimizerMeta,
      averageSteps: t.average?.steps ?? 0,
    },
    blobs,
  };
}

export function restoreTrainerState(t: Trainer, meta: TrainerStateMeta, blobs: Blobs): void {
  const need = (name: string) => {
    const b = blobs.get(name);
    if (!b) throw new SemiganError(`checkpoint does not match this model: it has no ${name}`);
    return b;
  };
  for (const store of [t.discriminator.params, t.generator?.params]) {
    if (!store) continue;
    store.load(
      store.names().map((name) => {
        const b = need(`param:${name}`);
        return { name, shape: b.shape, trainable: true, data: b.data };
      }),
    );
  }
  for (const [name, opt] of optimizers(t)) {
    const s = meta.optimizers[name];
    if (!s) throw new SemiganError(`checkpoint does not match this method: it has no ${name} state`);
    const keys = [...blobs.keys()]
      .filter((k) => k.startsWith(`${name}/m:`))
      .map((k) => k.slice(name.length + 3));
    opt.load({
      step: s.step,
      learningRate: s.learningRate,
      m: Object.fromEntries(keys.map((k) => [k, need(`${name}/m:${k}`).data])),
      v: Object.fromEntries(keys.map((k) => [k, need(`${name}/v:${k}`).data])),
    });
  }
  if (t.average) {
    for (const [k, a] of t.average.tensors()) assignValues(a, need(`average:${k}`).data);
    t.average.setSteps(meta.averageSteps);
  }
  for (const [name, s] of streams(t)) {
    if (!meta.streams[name])
      throw new SemiganError(`checkpoint does not match this method: no ${name} batch state`);
    s.load(meta.streams[name]);
  }
  t.rng.setState(meta.rng);
  t.stepCount = meta.step;
}
