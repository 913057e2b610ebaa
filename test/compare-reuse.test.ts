import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCompareTable, runCompare, type CompareRun } from '../src/experiments/compare.js';
import { CODE_SIGNATURE } from '../src/train/provenance.js';
import type { RunConfig } from '../src/train/run-config.js';
import { runSettings, whyNotSameRun, type RunSettings } from '../src/train/run-settings.js';
import { tempDir } from './helpers.js';

const base: RunConfig = {
  data: 'images:/data/cats-dogs?size=32',
  method: 'klogit-fm',
  labelsPerClass: 50,
  labeledExamples: [
    { id: 'cat/1.jpg', label: 'cat' },
    { id: 'dog/2.jpg', label: 'dog' },
  ],
  seed: 1,
  epochs: 30,
  checkpointEverySteps: 500,
};
const code = [{ commit: 'abc', dirty: false, atStep: 0, date: '', signature: CODE_SIGNATURE }];

describe('compare reuses only provably the same run', () => {
  // one change per setting the figures depend on; each must block reuse and be named in the reason
  const changes: [keyof RunSettings, Partial<RunConfig>][] = [
    ['data', { data: 'images:/data/cats-dogs' }], // 64 px, the default size
    ['data', { data: 'images:/elsewhere/cats-dogs?size=32' }],
    ['data', { data: 'images:/data/cats-dogs?size=32&unlabeled=/more' }],
    ['preset', { data: 'mnist:/data/mnist' }],
    ['method', { method: 'kplus1' }],
    ['seed', { seed: 2 }],
    ['epochs', { epochs: 10 }],
    ['steps', { steps: 100 }],
    ['stepsPerEpoch', { stepsPerEpoch: 7 }],
    [
      'labeled',
      {
        labeledExamples: [
          { id: 'cat/1.jpg', label: 'cat' },
          { id: 'dog/3.jpg', label: 'dog' },
        ],
      },
    ],
    [
      'labeled',
      {
        labeledExamples: [
          { id: 'cat/1.jpg', label: 'dog' },
          { id: 'dog/2.jpg', label: 'dog' },
        ],
      },
    ],
    ['validationPerClass', { validationPerClass: 50 }],
    ['selectBest', { selectBest: true }],
    ['augment', { augment: { flip: true, translate: 2 } }],
    ['consistency', { consistency: 1 }],
    ['consistencyRampup', { consistencyRampup: 20 }],
    ['pseudoLabels', { pseudoLabels: { weight: 1, threshold: 0.95 } }],
    ['ganWeight', { ganWeight: 0.1 }],
    ['preset', { preset: 'dcgan-resnet' }],
    ['optimizer', { optimizer: { beta2: 0.9999 } }],
    ['learningRate', { learningRate: 1e-3 }],
    ['lrDecay', { lrDecay: { startEpoch: 20, endEpoch: 30 } }],
    ['testLimit', { testLimit: 100 }],
    ['collapseSteps', { collapseSteps: 0 }],
  ];

  it('names each setting that differs, the code signature, or missing records', () => {
    const wanted = runSettings(base);
    expect(whyNotSameRun({ settings: runSettings({ ...base }), code }, wanted)).toBeUndefined();
    // the order labeled examples are listed in, and the checkpoint cadence, change nothing
    const reordered = {
      ...base,
      labeledExamples: [...base.labeledExamples!].reverse(),
      checkpointEverySteps: 9,
    };
    expect(whyNotSameRun({ settings: runSettings(reordered), code }, wanted)).toBeUndefined();
    // the default GAN weight, given or not, is the same run (runs recorded before the option existed stay reusable)
    expect(whyNotSameRun({ settings: runSettings({ ...base, ganWeight: 1 }), code }, wanted)).toBeUndefined();
    const { ganWeight: _absent, ...older } = wanted;
    expect(whyNotSameRun({ settings: older as RunSettings, code }, wanted)).toBeUndefined();
    for (const [key, change] of changes) {
      const why = whyNotSameRun({ settings: runSettings({ ...base, ...change }), code }, wanted);
      expect(why, key).toMatch(new RegExp(`(^its |, )${key} `));
    }
    expect(whyNotSameRun({ settings: { ...wanted, preset: 'old-photo-net' }, code }, wanted)).toMatch(
      /^its preset/,
    );
    const other = [{ ...code[0], signature: 'semigan-training-v0' }];
    expect(whyNotSameRun({ settings: wanted, code: other }, wanted)).toMatch(/ran other training code/);
    expect(whyNotSameRun({ settings: wanted, code: [] }, wanted)).toMatch(/no code signature/);
    expect(whyNotSameRun({}, wanted)).toMatch(/no settings/);
  });

  it('runCompare: reuses a matching finished run, trains again with one line why otherwise', async () => {
    const opts = {
      data: 'rings',
      labels: 6,
      seeds: [1],
      epochs: 1,
      methods: ['klogit-fm' as const],
      select: ['random' as const],
      validationPerClass: 0,
    };
    const out = tempDir();
    const first = await runCompare({ ...opts, out });
    const [run] = first.runs;
    expect(run.settings.validationPerClass).toBe(0);
    expect(run.code.at(-1)?.signature).toBe(CODE_SIGNATURE);
    expect(run.labelsRead).toBe(6);
    // what the run cost: its epochs' seconds, as its metrics.json records them
    const saved = JSON.parse(readFileSync(join(out, run.dir, 'metrics.json'), 'utf8'));
    expect(run.wallSeconds).toBeGreaterThan(0);
    expect(run.wallSeconds).toBeCloseTo(saved.epochs[0].seconds, 1);
    expect(formatCompareTable(first)).toMatch(/labels read\n.*\b6$/);

    const trained: number[] = [];
    const notes: string[] = [];
    const hooks = {
      onEpoch: (m: { epoch: number }) => void trained.push(m.epoch),
      onNote: (l: string) => void notes.push(l),
    };
    // the same run: reused, nothing trains, nothing to say
    const same = await runCompare({ ...opts, out: tempDir(), finished: first.runs }, hooks);
    expect([trained, notes]).toEqual([[], []]);
    expect(same.runs[0].testAccuracy).toBe(run.testAccuracy);
    // a run with other validation labels (it read other labels, its pool differs) is not this run
    const other = await runCompare(
      { ...opts, validationPerClass: 5, out: tempDir(), finished: first.runs },
      hooks,
    );
    expect(trained).toEqual([1]);
    expect(notes).toEqual([
      'not reusing the finished random/klogit-fm/seed 1: its validationPerClass 0 ≠ 5; training it again',
    ]);
    expect(other.runs[0].labelsRead).toBeGreaterThanOrEqual(6 + 10);
    // older results without settings are trained again too
    const { settings: _, ...old } = run;
    notes.length = 0;
    await runCompare({ ...opts, out: tempDir(), finished: [old as CompareRun] }, hooks);
    expect(notes[0]).toMatch(/recorded no settings \(older results\); training it again$/);
  });

  it('runCompare: a run directory of other settings in --out is moved aside, not resumed', async () => {
    const out = tempDir();
    const opts = {
      data: 'rings',
      labels: 6,
      seeds: [1],
      methods: ['supervised' as const],
      select: ['random' as const],
      validationPerClass: 0,
      out,
    };
    await runCompare({ ...opts, epochs: 1 });
    const notes: string[] = [];
    const r = await runCompare({ ...opts, epochs: 2 }, { onNote: (l) => void notes.push(l) });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^runs\/random-supervised-seed1 is not this run \(its epochs 1 ≠ 2\): moved to .*\.replaced-1; training it again$/,
    );
    expect(r.runs[0].epochs).toBe(2);
    expect(existsSync(join(out, 'runs', 'random-supervised-seed1.replaced-1', 'metrics.json'))).toBe(true);
    // a run that trained other nets than today's default (its config named none) is not this run either
    const file = join(out, 'runs', 'random-supervised-seed1', 'metrics.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), preset: 'photo-cnn' }));
    notes.length = 0;
    await runCompare({ ...opts, epochs: 2 }, { onNote: (l) => void notes.push(l) });
    expect(notes[0]).toMatch(/is not this run \(its preset "photo-cnn" ≠ "toy-mlp"\)/);
  });

  it('runCompare: says when it resumes a run and when it uses a finished one', async () => {
    const opts = {
      data: 'rings',
      labels: 6,
      seeds: [1],
      epochs: 2,
      methods: ['supervised' as const],
      select: ['random' as const],
      validationPerClass: 0,
      out: tempDir(),
    };
    let steps = 0;
    const stop = { onStep: () => void steps++, shouldStop: () => steps >= 3 };
    await expect(runCompare(opts, stop)).rejects.toThrow(/^stopped after a checkpoint$/);
    const notes: string[] = [];
    await runCompare(opts, { onNote: (l) => void notes.push(l) });
    expect(notes).toEqual(['runs/random-supervised-seed1: resuming from its checkpoint']);
    notes.length = 0;
    await runCompare(opts, { onNote: (l) => void notes.push(l) });
    expect(notes).toEqual([
      'runs/random-supervised-seed1 finished earlier: its figures are used as they are',
    ]);
  });

  it("runCompare: keeps a seed's saved labeled set, and selects again when anything it depends on changed", async () => {
    const out = tempDir();
    const opts = {
      data: 'rings',
      labels: 6,
      seeds: [1],
      epochs: 1,
      methods: ['supervised' as const],
      select: ['random' as const],
      validationPerClass: 0,
      out,
    };
    const first = await runCompare(opts);
    const file = join(out, 'labels', 'random-seed1.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const picked = first.labeledSets['random-seed1'];
    // ids and their cost are saved, never labels: those are read from the data on every use
    expect(saved.ids).toEqual(picked.map((e) => e.id));
    expect(saved).not.toHaveProperty('examples');
    expect(readFileSync(join(out, 'labels', 'random-seed1.csv'), 'utf8')).toContain(picked[0].id);
    // a saved set that differs from what selection would pick proves it is read back, not picked again
    const taken = new Set(saved.ids as string[]);
    const other = [...Array(1000).keys()].map(String).find((id) => !taken.has(id))!;
    const planted = [other, ...saved.ids.slice(1)];
    writeFileSync(file, JSON.stringify({ ...saved, ids: planted, labelsRead: 99 }));
    const notes: string[] = [];
    const again = await runCompare(opts, { onNote: (l) => void notes.push(l) });
    const reused = again.labeledSets['random-seed1'];
    expect(reused.map((e) => e.id)).toEqual(planted);
    // the labels of the kept ids are the data's, as the first call read them
    expect(reused.slice(1)).toEqual(picked.slice(1));
    expect(again.runs[0].labelsRead).toBe(99);
    expect(notes.filter((l) => /selecting again/.test(l))).toEqual([]);
    // made by another version of the strategy, of another size, or naming an id the pool lacks: selected again
    const note = 'random labels of seed 1: the saved selection was made otherwise; selecting again';
    for (const bad of [
      { ...saved, ids: planted, key: { ...saved.key, version: 0 } },
      { ...saved, ids: planted.slice(1) },
      { ...saved, ids: ['nowhere', ...planted.slice(1)] },
    ]) {
      writeFileSync(file, JSON.stringify(bad));
      notes.length = 0;
      const fresh = await runCompare(opts, { onNote: (l) => void notes.push(l) });
      expect(fresh.labeledSets['random-seed1']).toEqual(picked);
      expect(fresh.runs[0].labelsRead).toBe(6);
      expect(notes).toContain(note);
    }
    // and another labeled budget or seed is another selection
    expect((await runCompare({ ...opts, labels: 8 })).labeledSets['random-seed1']).toHaveLength(8);
    expect((await runCompare({ ...opts, seeds: [2] })).labeledSets['random-seed2']).not.toEqual(picked);
  });

  it("runCompare: a lever (FixMatch's threshold) reaches only the methods with that term, and is a setting", async () => {
    const opts = {
      data: 'rings',
      labels: 6,
      seeds: [1],
      methods: ['supervised' as const, 'fixmatch' as const],
      select: ['random' as const],
      validationPerClass: 0,
      epochs: 1,
    };
    const plain = await runCompare({ ...opts, out: tempDir() });
    const trained: string[] = [];
    const lowered = await runCompare(
      { ...opts, out: tempDir(), pseudoThreshold: 0.8, finished: plain.runs },
      { onRunStart: (r) => void trained.push(r.method), onEpoch: () => void trained.push('epoch') },
    );
    const pseudo = (r: CompareRun) => [r.method, r.settings.pseudoLabels];
    expect(lowered.runs.map(pseudo)).toEqual([
      ['supervised', null],
      ['fixmatch', { weight: 1, threshold: 0.8 }],
    ]);
    // the supervised run is the same run and is reused (no epoch trained); the fixmatch one is trained again
    expect(trained).toEqual(['supervised', 'fixmatch', 'epoch']);
    expect(whyNotSameRun(plain.runs[1], lowered.runs[1].settings)).toMatch(/^its pseudoLabels null ≠ /);
  });

  it('runCompare: a GAN weight per method reaches that method only (a data default recipe)', async () => {
    const r = await runCompare({
      data: 'rings',
      labels: 6,
      seeds: [1],
      methods: ['klogit', 'klogit-fm'],
      select: ['random'],
      validationPerClass: 0,
      epochs: 1,
      out: tempDir(),
      ganWeight: { 'klogit-fm': 0.1 },
    });
    expect(r.runs.map((x) => [x.method, x.settings.ganWeight])).toEqual([
      ['klogit', null],
      ['klogit-fm', 0.1],
    ]);
  });
});
