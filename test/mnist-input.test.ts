import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gzipSync, idxFiles, oneLineError, runMetrics as metrics, semigan, tempDir } from './helpers.js';

describe('corrupt MNIST-format data gives one clear line naming the file', () => {
  function mnistDir(mutate?: (files: Record<string, Buffer>) => void): string {
    const dir = tempDir('semigan-idx-');
    const tr = idxFiles(40);
    const te = idxFiles(20);
    const files: Record<string, Buffer> = {
      'train-images-idx3-ubyte.gz': gzipSync(tr.images),
      'train-labels-idx1-ubyte.gz': gzipSync(tr.labels),
      't10k-images-idx3-ubyte': te.images,
      't10k-labels-idx1-ubyte': te.labels,
    };
    mutate?.(files);
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    return dir;
  }
  const train = (dir: string) =>
    semigan('train', '--data', `mnist:${dir}`, '--labels', '20', '--steps', '2', '--out', join(dir, 'out'));

  it('--augment (shifts, turns) and --consistency on MNIST digits: recorded, change the weights; usage errors', () => {
    const dir = mnistDir();
    const run = (out: string, ...extra: string[]) =>
      semigan(
        'train',
        '--data',
        `mnist:${dir}`,
        '--labels',
        '20',
        '--steps',
        '3',
        '--out',
        join(dir, out),
        ...extra,
      );
    expect(run('plain').code).toBe(0);
    expect(run('shifted', '--augment', 'shift=2').code).toBe(0);
    expect(run('shifted-again', '--augment', 'shift=2').code).toBe(0);
    const m = (out: string) => metrics(join(dir, out));
    expect(m('shifted').config.augment).toEqual({ flip: false, translate: 2 });
    expect(m('plain').config.augment).toBeUndefined();
    expect(m('shifted').weightsSha256).not.toBe(m('plain').weightsSha256);
    expect(m('shifted-again').weightsSha256).toBe(m('shifted').weightsSha256);
    expect(run('turned', '--augment', 'shift=2,rotate=10,scale=0.1').code).toBe(0);
    expect(m('turned').config.augment).toEqual({ flip: false, translate: 2, rotate: 10, scale: 0.1 });
    expect(m('turned').weightsSha256).not.toBe(m('shifted').weightsSha256);
    expect(run('pi', '--augment', 'shift=2', '--consistency', '1').code).toBe(0);
    expect(m('pi').config.consistency).toBe(1);
    expect(m('pi').weightsSha256).not.toBe(m('shifted').weightsSha256);
    // ramped up, the term starts near 0: same random stream as 'pi', other weights
    expect(run('ramp', '--augment', 'shift=2', '--consistency', '1', '--consistency-rampup', '5').code).toBe(
      0,
    );
    expect(m('ramp').config.consistencyRampup).toBe(5);
    expect(m('ramp').weightsSha256).not.toBe(m('pi').weightsSha256);
    const rampAlone = run('ra', '--consistency-rampup', '5');
    expect(rampAlone.code).toBe(2);
    expect(oneLineError(rampAlone.stderr)).toMatch(/ramp-up needs a consistency weight/);
    const supervisedPi = run('spi', '--method', 'supervised', '--consistency', '1');
    expect(supervisedPi.code).toBe(2);
    expect(oneLineError(supervisedPi.stderr)).toMatch(/consistency term needs unlabeled data/);
    expect(run('npi', '--consistency', '-1').code).toBe(2);
    const rings = semigan('train', '--data', 'rings', '--augment', 'shift=2', '--out', join(dir, 'r'));
    expect(rings.code).toBe(2);
    expect(oneLineError(rings.stderr)).toMatch(/augmentation \(flips, shifts, rotations\) needs image data/);
    for (const spec of ['rotate=90', 'twist=5', 'shift=1.5', 'scale=0.5']) {
      const bad = run('bad', '--augment', spec);
      expect(bad.code).toBe(2);
      expect(oneLineError(bad.stderr)).toMatch(/--augment takes off or a comma-joined list of flip, shift=N/);
    }
  });

  it('a valid tiny set (gz and raw) trains', () => {
    const r = train(mnistDir());
    expect(r.stderr).toMatch(/klogit-fm on mnist:/);
    expect(r.code).toBe(0);
  });

  const cases: [string, (f: Record<string, Buffer>) => void, RegExp][] = [
    ['missing file', (f) => delete f['t10k-labels-idx1-ubyte'], /has no t10k-labels-idx1-ubyte/],
    [
      'truncated gzip',
      (f) => (f['train-images-idx3-ubyte.gz'] = f['train-images-idx3-ubyte.gz'].subarray(0, 200)),
      /train-images-idx3-ubyte.gz is a corrupt or truncated gzip file/,
    ],
    [
      'truncated data',
      (f) => (f['t10k-images-idx3-ubyte'] = f['t10k-images-idx3-ubyte'].subarray(0, 5000)),
      /t10k-images-idx3-ubyte is truncated: its header promises 20×28×28/,
    ],
    [
      'wrong magic',
      (f) => (f['t10k-labels-idx1-ubyte'] = idxFiles(20).images),
      /t10k-labels-idx1-ubyte has magic number 0x00000803, expected 0x00000801/,
    ],
    [
      'count mismatch',
      (f) => (f['t10k-labels-idx1-ubyte'] = idxFiles(19).labels),
      /has 19 labels but .* has 20 images/,
    ],
    [
      'bad label',
      (f) => {
        const l = idxFiles(20).labels;
        l[8] = 12;
        f['t10k-labels-idx1-ubyte'] = l;
      },
      /label 12 at index 0/,
    ],
  ];
  for (const [name, mutate, message] of cases) {
    it(name, () => {
      const r = train(mnistDir(mutate));
      expect(r.code).toBe(1);
      expect(oneLineError(r.stderr)).toMatch(message);
    });
  }

  it('more labels than a class has', () => {
    const r = semigan(
      'train',
      '--data',
      `mnist:${mnistDir()}`,
      '--labels',
      '50',
      '--steps',
      '2',
      '--out',
      join(tempDir(), 'o'),
    );
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/class '\d' has 4 examples but 5 are needed/);
  });

  it('a directory that does not exist', () => {
    const r = semigan('train', '--data', 'mnist:/nonexistent/mnist', '--out', join(tempDir(), 'o'));
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/MNIST directory \/nonexistent\/mnist does not exist/);
  });
});
