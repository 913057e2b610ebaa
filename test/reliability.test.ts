import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Rng } from '../src/random.js';
import { chooseOpenBlasCore } from '../src/native/openblas.js';
import { machineSignature } from '../src/train/provenance.js';
import { BIN, gzipSync, idxFiles, oneLineError, semigan, semiganAsync, tempDir } from './helpers.js';

const metrics = (dir: string) => JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));

/** `semigan train --data rings …` with extra environment (fault injection). */
const trainRings = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, 'train', '--data', 'rings', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
  });

/** Rings for 600 steps whose losses read as a collapsed D from step 320 on (checkpoints every 100 steps). */
const collapsedFrom320 = (dir: string, collapseSteps: number, maxRollbacks: number) => {
  const args = ['--steps', '600', '--checkpoint-every', '100', '--out', dir];
  args.push('--collapse-steps', String(collapseSteps), '--max-rollbacks', String(maxRollbacks));
  return trainRings(args, { SEMIGAN_FAULT_COLLAPSE_AT_STEP: '320' });
};

describe('exact resume', () => {
  it('train 200 steps == train 100 steps, then --resume to 200 (same weights sha256)', () => {
    const root = tempDir();
    const [a, b] = [join(root, 'A'), join(root, 'B')];
    expect(semigan('train', '--data', 'rings', '--steps', '200', '--seed', '3', '--out', a).code).toBe(0);
    expect(semigan('train', '--data', 'rings', '--steps', '100', '--seed', '3', '--out', b).code).toBe(0);
    const resumed = semigan('train', '--resume', b, '--steps', '200');
    expect(resumed.code).toBe(0);
    const [ma, mb] = [metrics(a), metrics(b)];
    expect(ma.complete && mb.complete).toBe(true);
    expect(mb.step).toBe(200);
    expect(mb.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(mb.weightsSha256).toBe(ma.weightsSha256);
    expect(mb.labeledSubset).toEqual(ma.labeledSubset);
    // and a different seed really is different
    const c = join(root, 'C');
    semigan('train', '--data', 'rings', '--steps', '200', '--seed', '4', '--out', c);
    expect(metrics(c).weightsSha256).not.toBe(ma.weightsSha256);
  });

  it('a resume on other kernels says it will not be bit-exact and records the switch in metrics.json', () => {
    const dir = join(tempDir(), 'run');
    expect(trainRings(['--steps', '100', '--seed', '3', '--out', dir]).status).toBe(0);
    // another OpenBLAS core type is another summation order (and another machine signature even without OpenBLAS)
    const other = process.env.OPENBLAS_CORETYPE === 'Prescott' ? 'Haswell' : 'Prescott';
    const resume = (steps: string) =>
      spawnSync(process.execPath, [BIN, 'train', '--resume', dir, '--steps', steps], {
        encoding: 'utf8',
        env: { ...process.env, CI: 'true', OPENBLAS_CORETYPE: other },
      });
    const r = resume('150');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/resuming on another machine or kernels \(was: .*; now: .*\).*not bit for bit/);
    const code = metrics(dir).code;
    expect(code).toHaveLength(2);
    expect(code[0].machine).not.toContain(`OPENBLAS_CORETYPE=${other}`);
    expect(code[1]).toMatchObject({
      atStep: 100,
      machine: expect.stringContaining(`OPENBLAS_CORETYPE=${other}`),
    });
    // resuming again where it last ran: no warning, no new entry
    const again = resume('200');
    expect(again.status).toBe(0);
    expect(again.stderr).not.toMatch(/another machine/);
    expect(metrics(dir).code).toHaveLength(2);
    expect(metrics(dir).step).toBe(200);
  });

  it('the machine signature names the thread count the native kernels were told, and only for them', () => {
    const before = process.env.SEMIGAN_THREADS;
    try {
      process.env.SEMIGAN_THREADS = '2';
      expect(machineSignature('wasm', 'OpenBLAS: libopenblas.so.0')).toMatch(/, SEMIGAN_THREADS=2$/);
      expect(machineSignature('wasm', 'none (no addon)')).not.toContain('SEMIGAN_THREADS');
      delete process.env.SEMIGAN_THREADS;
      expect(machineSignature('wasm', 'OpenBLAS: libopenblas.so.0')).not.toContain('SEMIGAN_THREADS');
    } finally {
      if (before === undefined) delete process.env.SEMIGAN_THREADS;
      else process.env.SEMIGAN_THREADS = before;
    }
  });

  it("OpenBLAS gets the kernels the CPU's instruction sets allow, never over the user's choice", () => {
    const pick = (flags: string, env: NodeJS.ProcessEnv = {}) => {
      chooseOpenBlasCore(new Set(flags.split(' ')), env);
      return env.OPENBLAS_CORETYPE;
    };
    const avx512 = 'sse4_2 avx avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl';
    expect(pick(avx512)).toBe('SkylakeX');
    expect(pick('sse4_2 avx avx2 fma')).toBe('Haswell');
    expect(pick('sse4_2 avx')).toBeUndefined(); // OpenBLAS's own choice stands
    expect(pick(avx512, { OPENBLAS_CORETYPE: 'Zen' })).toBe('Zen');
    // and the choice is in what every run records of its machine
    if (process.env.OPENBLAS_CORETYPE)
      expect(machineSignature('wasm', 'OpenBLAS: x')).toContain(
        `OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE}`,
      );
  });

  it('a learning-rate decay (--lr-decay-from) follows its line to zero, and resumes exactly inside it', () => {
    const root = tempDir();
    const [a, b] = [join(root, 'A'), join(root, 'B')];
    const args = ['--data', 'rings', '--epochs', '20', '--lr-decay-from', '10', '--seed', '3'];
    expect(semigan('train', ...args, '--out', a).code).toBe(0);
    expect(semigan('train', ...args, '--steps', '150', '--out', b).code).toBe(0);
    expect(semigan('train', '--resume', b, '--epochs', '20').code).toBe(0);
    const lr = (dir: string) => metrics(dir).epochs.map((e: { learningRate: number }) => e.learningRate);
    const rates = lr(a);
    expect(rates).toHaveLength(20);
    // rings: 10 steps an epoch; full rate to epoch 10, then 1 − (step − 100)/100 of it
    rates.slice(0, 10).forEach((r: number) => expect(r).toBe(0.003));
    rates
      .slice(10)
      .forEach((r: number, i: number) => expect(r).toBeCloseTo(0.003 * (1 - (10 * i + 9) / 100), 9));
    expect(lr(b)).toEqual(rates);
    expect(metrics(b).weightsSha256).toBe(metrics(a).weightsSha256);
    // and the decay changes the result
    const c = join(root, 'C');
    semigan('train', '--data', 'rings', '--epochs', '20', '--seed', '3', '--out', c);
    expect(metrics(c).weightsSha256).not.toBe(metrics(a).weightsSha256);
  });

  it("Adam settings from the command line (Bad GAN's) reach the run, are recorded, and resume exactly", () => {
    const root = tempDir();
    const [a, b, c] = [join(root, 'A'), join(root, 'B'), join(root, 'C')];
    const base = ['--data', 'rings', '--epochs', '8', '--seed', '2'];
    const adam = ['--g-lr', '0.001', '--g-beta1', '0', '--beta2', '0.9999', '--adam-epsilon', 'outside'];
    expect(semigan('train', ...base, ...adam, '--out', a).code).toBe(0);
    expect(metrics(a).config.optimizer).toEqual({
      generatorLearningRate: 0.001,
      generatorBeta1: 0,
      beta2: 0.9999,
      adamEpsilon: 'outside',
    });
    expect(semigan('train', ...base, ...adam, '--steps', '45', '--out', b).code).toBe(0);
    expect(semigan('train', '--resume', b, '--epochs', '8').code).toBe(0);
    expect(metrics(b).weightsSha256).toBe(metrics(a).weightsSha256);
    expect(semigan('train', ...base, '--out', c).code).toBe(0);
    expect(metrics(c).config.optimizer).toBeUndefined();
    expect(metrics(c).weightsSha256).not.toBe(metrics(a).weightsSha256);
    const bad = semigan('train', ...base, '--beta2', '1', '--out', join(root, 'D'));
    expect(bad.code).toBe(2);
    expect(oneLineError(bad.stderr)).toMatch(/--beta2 must be a number from 0 to 0.999999, got '1'/);
  });

  it('a learning-rate decay that starts after the last epoch is a usage error', () => {
    const r = semigan(
      'train',
      '--data',
      'rings',
      '--epochs',
      '5',
      '--lr-decay-from',
      '5',
      '--out',
      tempDir(),
    );
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(
      /learning-rate decay must start at an epoch ≥ 0 before the last one/,
    );
  });

  it('--resume of a directory without a checkpoint is a clear usage error', () => {
    const r = semigan('train', '--resume', tempDir());
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/nothing to resume/);
  });
});

describe('interruption', () => {
  it('SIGINT saves a checkpoint, says how to resume, and the resume continues', async () => {
    const dir = join(tempDir(), 'run');
    const child = semiganAsync(
      'train',
      '--data',
      'rings',
      '--steps',
      '1000000',
      '--out',
      dir,
      '--checkpoint-every',
      '1000000',
    );
    const { code, stderr } = await signalAfterFirstEpoch(child, 'SIGINT');
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: saving a checkpoint/);
    expect(stderr).toMatch(/continue with: npx semigan train --resume /);
    expect(existsSync(join(dir, 'checkpoint.bin'))).toBe(true);
    const stopped = metrics(dir).step;
    expect(stopped).toBeGreaterThanOrEqual(10);
    const r = semigan('train', '--resume', dir, '--steps', String(stopped + 20));
    expect(r.code).toBe(0);
    expect(metrics(dir).step).toBe(stopped + 20);
  });

  it('compare: SIGINT stops the running run at a checkpoint, and says the same command continues', async () => {
    const out = join(tempDir(), 'grid');
    const args = ['compare', '--data', 'rings', '--labels', '8', '--seeds', '1', '--select', 'random'];
    const child = semiganAsync(...args, '--methods', 'supervised', '--epochs', '100000', '--out', out);
    const { code, stderr } = await signalAfterFirstEpoch(child, 'SIGINT');
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: saving a checkpoint/);
    expect(stderr).toMatch(/stopped after a checkpoint; run the same command again to continue/);
    expect(stderr).not.toMatch(/error/);
    const run = join(out, 'runs', 'random-supervised-seed1');
    expect(existsSync(join(run, 'checkpoint.bin'))).toBe(true);
    expect(metrics(run).complete).toBe(false);
    expect(metrics(run).step).toBeGreaterThanOrEqual(10);
  });

  it('a hang-up (closed terminal) saves a checkpoint as SIGINT does', async () => {
    const dir = join(tempDir(), 'run');
    const child = semiganAsync('train', '--data', 'rings', '--steps', '1000000', '--out', dir);
    const { code, stderr } = await signalAfterFirstEpoch(child, 'SIGHUP');
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGHUP: saving a checkpoint/);
    expect(metrics(dir).step).toBeGreaterThanOrEqual(10);
  });

  it('a reader that goes away (| head) does not end the run: it finishes, output dropped', async () => {
    const dir = join(tempDir(), 'run');
    const child = semiganAsync('train', '--data', 'rings', '--steps', '300', '--out', dir);
    // like `| head -1`: read the first line, then close both pipes
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
    child.stdout.destroy();
    child.stderr.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(metrics(dir)).toMatchObject({ step: 300, complete: true });
  });
});

describe('models and checkpoints are validated', () => {
  it('a tampered checkpoint is refused with one line', () => {
    const dir = join(tempDir(), 'm');
    expect(semigan('train', '--data', 'rings', '--steps', '20', '--out', dir).code).toBe(0);
    expect(semigan('eval', '--model', dir).stdout).toMatch(/test accuracy \d+\.\d+%/);
    const path = join(dir, 'checkpoint.bin');
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(path, bytes);
    const r = semigan('eval', '--model', dir);
    expect(r.code).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/checkpoint .* is unusable: data does not match its checksum/);
    writeFileSync(path, bytes.subarray(0, 1000));
    expect(oneLineError(semigan('eval', '--model', dir).stderr)).toMatch(/unusable/);
    writeFileSync(path, 'hello');
    expect(oneLineError(semigan('eval', '--model', dir).stderr)).toMatch(/not a semigan checkpoint/);
  });

  it('eval of a directory that holds no model is a usage error', () => {
    const r = semigan('eval', '--model', tempDir());
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/not a semigan model directory/);
  });
});

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

describe('divergence', () => {
  const forced = (step: number, ...args: string[]) => {
    const r = trainRings(args, { SEMIGAN_FAULT_NAN_AT_STEP: String(step) });
    return { code: r.status, stderr: r.stderr };
  };

  it('a NaN rolls back to the last checkpoint with a halved learning rate, and the run completes', () => {
    const dir = join(tempDir(), 'nan');
    const r = forced(57, '--steps', '100', '--checkpoint-every', '50', '--out', dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /diverged at step 57 \(loss D NaN, G .*\): rolled back to step 50, learning rate now 0.0015/,
    );
    const m = metrics(dir);
    expect(m.complete).toBe(true);
    expect(m.rollbacks).toEqual([
      { atStep: 57, toStep: 50, learningRate: 0.0015, reason: expect.stringMatching(/^loss D NaN/) },
    ]);
  });

  it('with no rollbacks left it stops with one clear line', () => {
    const dir = join(tempDir(), 'nan0');
    const r = forced(30, '--steps', '100', '--max-rollbacks', '0', '--out', dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^semigan: error: training diverged at step 30 .* try a smaller --lr/,
    );
    expect(metrics(dir).complete).toBe(false);
  });

  it('discriminator collapse (D loss ≈ 0, G loss exploding for K steps) rolls back, then stops clearly', () => {
    const dir = join(tempDir(), 'collapse');
    const r = collapsedFrom320(dir, 50, 2);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /diverged at step 369 \(discriminator collapse: .* for 50 steps\): rolled back to step 300/,
    );
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^semigan: error: training diverged at step \d+ \(discriminator collapse: .*\) after 2 rollbacks/,
    );
    const m = metrics(dir);
    expect(m.complete).toBe(false);
    expect(m.rollbacks.map((x: { toStep: number }) => x.toStep)).toEqual([300, 300]);
  });

  it('a collapse that builds across a checkpoint rolls back to the last healthy checkpoint, before it began', () => {
    const dir = join(tempDir(), 'collapse-slow');
    // collapsed from step 320, detected after 150 steps at 469: the checkpoint at 400 already holds it
    const r = collapsedFrom320(dir, 150, 1);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/diverged at step 469 \(discriminator collapse: .*\): rolled back to step 300,/);
    expect(metrics(dir).rollbacks.map((x: { toStep: number }) => x.toStep)).toEqual([300]);
  });

  it('the collapse monitor keeps its streak through single noisy steps of a collapsed run', async () => {
    const { DEFAULT_COLLAPSE, newCollapseState, observeLosses, looksHealthy } =
      await import('../src/train/collapse.js');
    const s = newCollapseState();
    const rng = new Rng(7);
    // healthy, as MNIST's badgan: D loss ≈ 0.3–0.45, feature-matching loss ≈ 3–13
    for (let i = 0; i < 3000; i++)
      expect(
        observeLosses(s, DEFAULT_COLLAPSE, 0.3 + 0.15 * rng.uniform(), 3 + 10 * rng.uniform()),
      ).toBeNull();
    expect(looksHealthy(s, DEFAULT_COLLAPSE)).toBe(true);
    // collapsed, as seed 3 was: D ≈ 0.01, G in the hundreds, but every 50th step reads like a healthy one
    let found: string | null = null;
    let at = 0;
    for (let i = 1; i <= 2000 && !found; i++) {
      const noisy = i % 50 === 0;
      found = observeLosses(s, DEFAULT_COLLAPSE, noisy ? 0.3 : 0.01, noisy ? 5 : 300);
      at = i;
      if (i === 400) expect(looksHealthy(s, DEFAULT_COLLAPSE)).toBe(false);
    }
    expect(found).toMatch(/discriminator collapse/);
    // the smoothed losses cross the line within a few hundred steps; 500 collapsed steps then count
    expect(at).toBeLessThan(1000);
  });

  it('exploding losses (finite, D loss far above its baseline) roll back, then stop clearly', () => {
    const dir = join(tempDir(), 'explode');
    const r = trainRings(
      ['--steps', '600', '--checkpoint-every', '100', '--max-rollbacks', '1', '--out', dir],
      { SEMIGAN_FAULT_EXPLODE_AT_STEP: '320' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /diverged at step 339 \(losses exploded: D loss above .* for 20 steps\): rolled back to step 300/,
    );
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^semigan: error: training diverged at step \d+ \(losses exploded: .*\) after 1 rollback/,
    );
    expect(metrics(dir).complete).toBe(false);
  });

  it('the explosion monitor ignores ordinary swings and an early, noisy start', async () => {
    const { DEFAULT_COLLAPSE, newCollapseState, observeLosses } = await import('../src/train/collapse.js');
    const s = newCollapseState();
    const rng = new Rng(5);
    // 3000 healthy steps: D loss wandering between 0.3 and 3 (a noisy start of up to 8 in the first 200)
    for (let i = 0; i < 3000; i++) {
      const d = i < 200 ? 8 * rng.uniform() : 0.3 + 2.7 * rng.uniform();
      expect(observeLosses(s, DEFAULT_COLLAPSE, d, 1 + rng.uniform())).toBeNull();
    }
    // 19 exploded steps, one ordinary one: the streak starts again
    for (let i = 0; i < 19; i++) expect(observeLosses(s, DEFAULT_COLLAPSE, 500, 1)).toBeNull();
    expect(observeLosses(s, DEFAULT_COLLAPSE, 1, 1)).toBeNull();
    for (let i = 0; i < 19; i++) expect(observeLosses(s, DEFAULT_COLLAPSE, 500, 1)).toBeNull();
    expect(observeLosses(s, DEFAULT_COLLAPSE, 500, 1)).toMatch(/losses exploded/);
    // off means off
    const off = newCollapseState();
    for (let i = 0; i < 1000; i++)
      expect(observeLosses(off, { ...DEFAULT_COLLAPSE, steps: 0 }, i < 500 ? 1 : 1e6, 1)).toBeNull();
  });

  it('a healthy run never reports collapse', () => {
    const dir = join(tempDir(), 'healthy');
    const r = trainRings(['--steps', '800', '--collapse-steps', '50', '--out', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(metrics(dir).rollbacks ?? []).toEqual([]);
  });
});

describe('disk full while checkpointing', () => {
  it('stops with one line, keeps the previous checkpoint, leaves no temp file (injected ENOSPC)', () => {
    const dir = join(tempDir(), 'full');
    expect(trainRings(['--steps', '100', '--out', dir]).status).toBe(0);
    const before = readFileSync(join(dir, 'checkpoint.bin'));
    const r = trainRings(['--resume', dir, '--steps', '200'], { SEMIGAN_FAULT_ENOSPC: 'checkpoint.bin' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^semigan: error: cannot write .*checkpoint.bin: no space left on device$/,
    );
    expect(readFileSync(join(dir, 'checkpoint.bin'))).toEqual(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // with space again, the run resumes from the last good checkpoint and completes
    const again = trainRings(['--resume', dir, '--steps', '200']);
    expect(again.status, again.stderr).toBe(0);
    expect(metrics(dir).step).toBe(200);
  });

  it('a real full file system (tmpfs, where mounting is allowed) behaves the same', (ctx) => {
    const mnt = tempDir('semigan-tmpfs-');
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status !== 0) {
      ctx.skip();
      return;
    }
    try {
      const dir = join(mnt, 'run');
      expect(trainRings(['--steps', '50', '--out', dir]).status).toBe(0);
      const before = readFileSync(join(dir, 'checkpoint.bin'));
      // fill what is left, so the next checkpoint cannot be written
      spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'filler')}`, 'bs=4k'], { encoding: 'utf8' });
      const r = trainRings(['--resume', dir, '--steps', '100']);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(/no space left on device$/);
      expect(readFileSync(join(dir, 'checkpoint.bin'))).toEqual(before);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

/** Waits for a training child's first epoch line (training under way), sends `signal`, and waits for it to exit. */
async function signalAfterFirstEpoch(child: ChildProcess, signal: NodeJS.Signals) {
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (/epoch 1\//.test(stderr)) {
        clearInterval(poll);
        resolve();
      }
    }, 50);
  });
  child.kill(signal);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stderr };
}
