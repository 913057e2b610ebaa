import { describe, expect, it } from 'vitest';
import {
  decodeProgress,
  fewStepsWarning,
  formatDuration,
  makeProgress,
  rateMeter,
  selectionProgress,
  stepBar,
} from '../src/cli/progress.js';
import { semigan, tempDir } from './helpers.js';

/** A stream that is not a terminal, collecting what is written. */
function fakeStream() {
  const lines: string[] = [];
  const stream = {
    isTTY: false,
    write: (s: string) => lines.push(...s.split('\n').filter((l) => l !== '')) > 0,
  } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('progress when the output is not a terminal', () => {
  it('prints a line every lineEverySeconds with rate and ETA, and a summary per phase', () => {
    const { stream, lines } = fakeStream();
    let t = 0;
    const p = makeProgress(stream, { lineEverySeconds: 10, now: () => t });
    p.start('train', 1000);
    for (let step = 10; step <= 300; step += 10) {
      t += 1000; // 10 steps a second
      p.update(step);
    }
    // 30 s: lines at 10, 20 and 30 s, none in between
    expect(lines).toEqual([
      'train 100/1000 steps (10%), 10.0 steps/s, ETA 1m30s',
      'train 200/1000 steps (20%), 10.0 steps/s, ETA 1m20s',
      'train 300/1000 steps (30%), 10.0 steps/s, ETA 1m10s',
    ]);
    p.stop('epoch 1/3: done');
    p.stop();
    expect(lines.at(-1)).toBe('epoch 1/3: done');
    expect(lines).toHaveLength(4);
  });

  it('representative selection says its feature net trains, then a line every 10 s, then how long it took', () => {
    const { stream, lines } = fakeStream();
    let t = 0;
    const onStep = selectionProgress({ stream, now: () => t });
    for (let step = 1; step <= 150; step++) {
      t += 1000; // a step a second
      onStep(step, 150);
    }
    expect(lines[0]).toBe(
      'representative selection: training a feature net on the unlabeled images (150 steps)',
    );
    expect(lines[1]).toBe('features 10/150 steps (7%), 1.00 steps/s, ETA 2m20s');
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.at(-1)).toBe('feature net trained in 2m29s');
  });

  it('decoding says it has started, then reports through the loader callback, then sums up', () => {
    const { stream, lines } = fakeStream();
    let t = 0;
    const onProgress = decodeProgress({ stream, now: () => t });
    for (let done = 1; done <= 400; done++) {
      t += 100; // 10 images a second: 40 s in all
      onProgress(done, 400);
    }
    expect(lines[0]).toMatch(/^decoding 400 images \(once: later runs read the cache in (~|\/).*\)$/);
    // a line every 10 s (the default for decoding)
    expect(lines.slice(1, -1)).toEqual([
      'decode 100/400 images (25%), 10.0 images/s, ETA 30s',
      'decode 200/400 images (50%), 10.0 images/s, ETA 20s',
      'decode 300/400 images (75%), 10.0 images/s, ETA 10s',
      'decode 400/400 images (100%), 10.0 images/s, ETA 0s',
    ]);
    expect(lines.at(-1)).toBe('decode finished: 400 image files');
    const quiet = fakeStream();
    const few = decodeProgress({ stream: quiet.stream, cached: false, minTotal: 100 });
    for (let done = 1; done <= 5; done++) few(done, 5);
    expect(quiet.lines).toEqual([]);
  });

  it('the rate follows the recent pace and restarts with a new phase', () => {
    const m = rateMeter(30_000);
    expect(m.rate()).toBeUndefined();
    for (let s = 0; s <= 60; s++) m.add(s * 1000, s < 30 ? s * 10 : 300 + (s - 30) * 2);
    expect(m.rate()).toBeCloseTo(2, 5);
    m.add(61_000, 5);
    expect(m.rate()).toBeUndefined();
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(7620)).toBe('2h07m');
  });
});

describe('epoch lines count the epochs the run will make', () => {
  it('in whole epochs, or fractions when --steps ends mid-epoch', () => {
    const { stream } = fakeStream();
    const bar = stepBar(makeProgress(stream));
    bar.onStart({ totalSteps: 100, stepsPerEpoch: 50 });
    expect(bar.epoch(1)).toBe('epoch 1/2');
    bar.onStart({ totalSteps: 250, stepsPerEpoch: 100 });
    expect(bar.epoch(2)).toBe('epoch 2/2.5');
    // a step beyond a whole number of epochs is not rounded away
    bar.onStart({ totalSteps: 1001, stepsPerEpoch: 100 });
    expect(bar.epoch(10)).toBe('epoch 10/10.01');
    bar.onStart({ totalSteps: 1001, stepsPerEpoch: 1000 });
    expect(bar.epoch(1)).toBe('epoch 1/1.001');
    bar.onStart({ totalSteps: 4, stepsPerEpoch: 100 });
    expect(bar.epoch(1)).toBe('epoch 1/0.04');
  });

  it('a run of many short epochs logs about 25 of them, the first and last always; a short run logs each', () => {
    const bar = stepBar(makeProgress(fakeStream().stream));
    const logged = (epochs: number) => Array.from({ length: epochs }, (_, i) => i + 1).filter(bar.logsEpoch);
    bar.onStart({ totalSteps: 1500, stepsPerEpoch: 10 });
    expect(logged(150)).toEqual([1, ...Array.from({ length: 25 }, (_, i) => 6 * (i + 1))]);
    bar.onStart({ totalSteps: 1505, stepsPerEpoch: 10 });
    expect(logged(151).at(-1)).toBe(151); // the last, partial epoch
    expect(logged(151).length).toBeLessThanOrEqual(27);
    bar.onStart({ totalSteps: 30 * 187, stepsPerEpoch: 187 });
    expect(logged(30)).toHaveLength(30);
  });

  it('slow steps still move the bar at least once a second', () => {
    const updates: number[] = [];
    let t = 0;
    const progress = { start() {}, update: (v: number) => void updates.push(v), stop() {} };
    const bar = stepBar(progress, () => t);
    for (let step = 1; step <= 12; step++) {
      t += 1500;
      bar.onStep(step, 100);
    }
    expect(updates).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    updates.length = 0;
    for (let step = 13; step <= 40; step++) {
      t += 10;
      bar.onStep(step, 100);
    }
    expect(updates).toEqual([20, 30, 40]);
  });

  it('CLI: train --steps reads epoch N/M of the steps given, with periodic lines when piped', () => {
    const out = tempDir();
    process.env.SEMIGAN_PROGRESS_SECONDS = '0';
    try {
      // rings: 1000 unlabeled points in batches of 100, so 10 steps an epoch; --epochs defaults to 100
      const r = semigan('train', '--data', 'rings', '--steps', '30', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^epoch 1\/3: test accuracy/m);
      expect(r.stderr).toMatch(/^epoch 3\/3: test accuracy \S+ {2}\(D \d+\.\d+, G \d+\.\d+, [\d.]+s\)$/m);
      expect(r.stderr).not.toMatch(/epoch \d+\/100/);
      // a method without a generator names its one loss, no "G 0.000"
      const sup = semigan(
        'train',
        '--data',
        'rings',
        '--method',
        'supervised',
        '--steps',
        '10',
        '--out',
        tempDir(),
      );
      expect(sup.stderr).toMatch(/^epoch 1\/1: test accuracy \S+ {2}\(loss \d+\.\d+, [\d.]+s\)$/m);
      expect(r.stderr).toMatch(/^train 10\/30 steps \(33%\)/m);
      expect(r.stderr).not.toMatch(/\n\s*\n/);
    } finally {
      delete process.env.SEMIGAN_PROGRESS_SECONDS;
    }
  });

  it('the few-steps warning counts epochs and steps in words a reader parses at once', () => {
    expect(fewStepsWarning({ totalSteps: 3, stepsPerEpoch: 3 }, '--epochs')).toBe(
      'warning: this run is only 3 steps (1 epoch of 3 steps); training needs hundreds to thousands: give a larger --epochs',
    );
    expect(fewStepsWarning({ totalSteps: 5, stepsPerEpoch: 1 }, '--epochs')).toContain(
      '(5 epochs of 1 step)',
    );
    expect(fewStepsWarning({ totalSteps: 15, stepsPerEpoch: 10 }, '--steps')).toContain(
      '(1.5 epochs of 10 steps)',
    );
    expect(fewStepsWarning({ totalSteps: 500, stepsPerEpoch: 10 }, '--epochs')).toBeUndefined();
  });

  it('CLI: a run of few steps by its epochs says so before training; --steps (a choice) does not', () => {
    const few = semigan('train', '--data', 'rings', '--epochs', '5', '--out', tempDir());
    expect(few.code, few.stderr).toBe(0);
    expect(few.stderr.split('\n')[1]).toBe(
      'warning: this run is only 50 steps (5 epochs of 10 steps); training needs hundreds to thousands: give a larger --epochs or --steps',
    );
    const chosen = semigan('train', '--data', 'rings', '--steps', '50', '--out', tempDir());
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stderr).not.toContain('warning: this run is only');
    // compare says it once for its grid of short runs
    const grid = semigan(
      'compare',
      '--data',
      'rings',
      '--methods',
      'supervised,klogit',
      '--seeds',
      '2',
      '--epochs',
      '2',
      '--out',
      tempDir(),
    );
    expect(grid.code, grid.stderr).toBe(0);
    expect(grid.stderr.match(/warning: this run is only/g)).toHaveLength(1);
    expect(grid.stderr).toContain(
      'warning: this run is only 20 steps (2 epochs of 10 steps); training needs hundreds to thousands: give a larger --epochs\n',
    );
  });
});
