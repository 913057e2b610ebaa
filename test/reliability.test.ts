import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chooseOpenBlasCore } from '../src/native/openblas.js';
import { machineSignature } from '../src/train/provenance.js';
import {
  BIN,
  oneLineError,
  runMetrics as metrics,
  semigan,
  semiganAsync,
  tempDir,
  trainRings,
} from './helpers.js';

describe('exact resume', () => {
  it('train 200 steps == train 100 steps, then --resume to 200 (same weights sha256)', () => {
    const root = tempDir();
    const [a, b] = [join(root, 'A'), join(root, 'B')];
    expect(semigan('train', '--data', 'rings', '--steps', '200', '--seed', '3', '--out', a).code).toBe(0);
    expect(semigan('train', '--data', 'rings', '--steps', '100', '--seed', '3', '--out', b).code).toBe(0);
    const resumed = semigan('train', '--resume', b, '--steps', '200');
    expect(resumed.code).toBe(0);
    // the header says where the run picks up, so a resume that starts over cannot pass unseen
    expect(resumed.stderr).toContain('(resuming from step 100 of 200)');
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
    expect(oneLineError(r.stderr)).toMatch(/not a semigan run directory/);
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
