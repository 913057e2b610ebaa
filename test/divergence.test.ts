import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Rng } from '../src/random.js';
import { runMetrics as metrics, tempDir, trainRings } from './helpers.js';

/** Rings for 600 steps whose losses read as a collapsed D from step 320 on (checkpoints every 100 steps). */
const collapsedFrom320 = (dir: string, collapseSteps: number, maxRollbacks: number) => {
  const args = ['--steps', '600', '--checkpoint-every', '100', '--out', dir];
  args.push('--collapse-steps', String(collapseSteps), '--max-rollbacks', String(maxRollbacks));
  return trainRings(args, { SEMIGAN_FAULT_COLLAPSE_AT_STEP: '320' });
};

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
