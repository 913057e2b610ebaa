import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  mergeRecords,
  recordFromRun,
  recordKey,
  recordsInFile,
  relativeData,
  summariseRecords,
  whyNotWanted,
  type SeedRecord,
} from '../bench/mnist-records.js';
import { CODE_SIGNATURE } from '../src/train/provenance.js';
import type { RunConfig, RunMetrics } from '../src/train/run-config.js';
import { runSettings } from '../src/train/run-settings.js';
import { tempDir } from './helpers.js';

// the MNIST bench's records: a seed counts only when it is provably the run the recipe asks for
const root = '/repo';
const config = (o: Partial<RunConfig> = {}): RunConfig => ({
  data: 'mnist:/shared/data/mnist',
  method: 'badgan',
  labelsPerClass: 10,
  seed: 4,
  epochs: 100,
  checkpointEverySteps: 200,
  augment: { flip: false, translate: 2 },
  consistency: 1,
  consistencyRampup: 20,
  lrDecay: { startEpoch: 67, endEpoch: 100 },
  ...o,
});
const wanted = (method: string, seed: number) => ({
  ...runSettings(config({ method: method as RunConfig['method'], seed })),
  data: 'mnist:../shared/data/mnist',
});
function metrics(c: RunConfig, errors: number[], o: { signature?: string; complete?: boolean } = {}) {
  return {
    config: c,
    epochs: errors.map((testError) => ({ testError, seconds: 60 })),
    complete: o.complete ?? errors.length >= c.epochs,
    labeledSubset: { count: 100, labelsRead: 140, idsSha256: 'x' },
    code: [
      {
        commit: 'abcdef0123456789',
        dirty: false,
        atStep: 0,
        date: '',
        signature: o.signature ?? CODE_SIGNATURE,
        machine: '2x AMD EPYC; wasm',
      },
    ],
    rollbacks: [],
  } as unknown as RunMetrics;
}
const record = (c: RunConfig, errors: number[], o?: { signature?: string; complete?: boolean }) =>
  recordFromRun(metrics(c, errors, o), 100, root)!;

describe('MNIST bench records', () => {
  it('name the data relative to the repository and keep the code signature', () => {
    expect(relativeData('mnist:/shared/data/mnist', root)).toBe('mnist:../shared/data/mnist');
    const r = record(config({ epochs: 5 }), [0.1, 0.05]);
    expect(r.settings!.data).toBe('mnist:../shared/data/mnist');
    expect(r.signatures).toEqual([CODE_SIGNATURE]);
    expect(r.commits).toEqual(['abcdef012345@step0']);
    expect(r.complete).toBe(false);
  });

  it('are the wanted run at any length, and not with another setting, data path or code', () => {
    // the bench trains in rounds: a run stopped at round 5 is still this recipe's run
    expect(whyNotWanted(record(config({ epochs: 5 }), [0.1]), wanted('badgan', 4))).toBeUndefined();
    expect(whyNotWanted(record(config({ consistency: 0 }), [0.1]), wanted('badgan', 4))).toMatch(
      /consistency/,
    );
    expect(whyNotWanted(record(config({ lrDecay: undefined }), [0.1]), wanted('badgan', 4))).toMatch(
      /lrDecay/,
    );
    expect(whyNotWanted(record(config({ data: 'mnist:/other/mnist' }), [0.1]), wanted('badgan', 4))).toMatch(
      /data/,
    );
    expect(whyNotWanted(record(config(), [0.1], { signature: 'older' }), wanted('badgan', 4))).toMatch(
      /other training code/,
    );
    // written before the bench kept settings or signatures: judged on what it has
    const legacy: SeedRecord = { ...record(config(), [0.1]), settings: undefined, signatures: undefined };
    expect(whyNotWanted(legacy, wanted('badgan', 4))).toBeUndefined();
    expect(whyNotWanted({ ...legacy, settings: record(config(), [0.1]).settings }, wanted('badgan', 4))).toBe(
      undefined,
    );
  });

  it('leave out what is not the wanted run, saying why, and keep the run that got furthest', () => {
    const notes: string[] = [];
    const inFile = new Map([
      [recordKey('badgan', 4), record(config(), new Array(100).fill(0.02))],
      [recordKey('badgan', 5), record(config({ seed: 5, consistency: 0 }), new Array(100).fill(0.01))],
      [recordKey('badgan', 6), record(config({ seed: 6, epochs: 25 }), new Array(23).fill(0.03))],
    ]);
    const onDisk = new Map([
      [recordKey('badgan', 4), record(config({ epochs: 5 }), [0.2, 0.1])],
      [recordKey('badgan', 6), record(config({ seed: 6, epochs: 25 }), new Array(24).fill(0.025))],
    ]);
    const merged = mergeRecords(inFile, onDisk, wanted, (l) => notes.push(l));
    expect([...merged.keys()].sort()).toEqual(['badgan-seed4', 'badgan-seed6']);
    expect(merged.get('badgan-seed4')!.epochs).toBe(100); // the finished record, not a restart at epoch 2
    expect(merged.get('badgan-seed6')!.epochs).toBe(24); // the run that got further
    expect(notes).toEqual([expect.stringMatching(/^badgan-seed5 in the results file .*consistency 0 ≠ 1/)]);
  });

  it('merge what parallel processes wrote: each keeps the other’s seeds, with their provenance', () => {
    const file = join(tempDir('mnist-records-'), 'results.json');
    const a = new Map([[recordKey('badgan', 4), record(config(), new Array(100).fill(0.02))]]);
    writeFileSync(file, JSON.stringify({ methods: summariseRecords(a) }));
    // process B finished seed 5 in its own run directory and re-reads the file before it writes
    const b = new Map([[recordKey('badgan', 5), record(config({ seed: 5 }), new Array(100).fill(0.01))]]);
    const merged = mergeRecords(recordsInFile(file), b, wanted, () => {});
    writeFileSync(file, JSON.stringify({ methods: summariseRecords(merged) }));
    const back = recordsInFile(file);
    expect([...back.keys()].sort()).toEqual(['badgan-seed4', 'badgan-seed5']);
    expect(back.get('badgan-seed4')!.settings).toEqual(a.get('badgan-seed4')!.settings);
    expect(back.get('badgan-seed4')!.signatures).toEqual([CODE_SIGNATURE]);
    expect(back.get('badgan-seed4')!.machines).toEqual(['2x AMD EPYC; wasm']);
    const summary = summariseRecords(back).badgan!;
    expect(summary.meanOfSeeds).toEqual([4, 5]);
    expect(summary.meanTestError).toBeCloseTo(0.015, 6);
    expect(summary.stdTestError).toBeCloseTo(Math.SQRT1_2 * 0.01, 5); // n − 1
  });
});
