import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, oneLineError, runMetrics as metrics, semigan, tempDir, ckpt, ringsRun } from './helpers.js';

describe('no command loses a run', () => {
  it('train --out DIR over a finished or a stopped run refuses with one line naming --resume and --force', () => {
    const root = tempDir();
    const done = join(root, 'done');
    ringsRun(done);
    const before = ckpt(done);
    const again = semigan('train', '--data', 'rings', '--steps', '40', '--out', done);
    expect(again.code).toBe(2);
    expect(oneLineError(again.stderr)).toBe(
      `semigan: error: ${done} already holds a finished run: continue it with --resume ${done}, or start over with --force (replaces it)`,
    );
    expect(ckpt(done).equals(before)).toBe(true);

    // a run that stopped (here: diverged with no rollbacks left) is refused the same way
    const stopped = join(root, 'stopped');
    const diverged = spawnSync(
      process.execPath,
      [BIN, 'train', '--data', 'rings', '--steps', '40', '--max-rollbacks', '0', '--out', stopped],
      { encoding: 'utf8', env: { ...process.env, CI: 'true', SEMIGAN_FAULT_NAN_AT_STEP: '25' } },
    );
    expect(diverged.status).toBe(1);
    expect(metrics(stopped).complete).toBe(false);
    const over = semigan('train', '--data', 'moons', '--out', stopped);
    expect(over.code).toBe(2);
    expect(oneLineError(over.stderr)).toMatch(
      new RegExp(
        `already holds a stopped run: continue it with --resume ${stopped}, or start over with --force`,
      ),
    );

    // a run's figures without their checkpoint are refused too: nothing to resume, but results to keep
    const figures = join(root, 'figures');
    mkdirSync(figures);
    writeFileSync(join(figures, 'metrics.json'), readFileSync(join(done, 'metrics.json')));
    const onFigures = semigan('train', '--data', 'rings', '--steps', '10', '--out', figures);
    expect(onFigures.code).toBe(2);
    expect(oneLineError(onFigures.stderr)).toMatch(
      /holds a run's metrics\.json: give --out another directory/,
    );
  });

  it('train --out a folder of other files (photos by mistake) refuses with one line; --force writes beside them', () => {
    const photos = join(tempDir(), 'photos');
    mkdirSync(photos);
    for (const f of ['cat.1.jpg', 'cat.2.jpg', 'dog.1.jpg']) writeFileSync(join(photos, f), 'jpeg');
    writeFileSync(join(photos, '.DS_Store'), '');
    const r = semigan('train', '--data', 'rings', '--steps', '10', '--out', photos);
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toBe(
      `semigan: error: ${photos} holds other files or folders (cat.1.jpg, cat.2.jpg, … 3 in all): give --out a new or empty directory, or --force to write the run beside them`,
    );
    expect(existsSync(join(photos, 'checkpoint.bin'))).toBe(false);
    const forced = semigan('train', '--data', 'rings', '--steps', '10', '--out', photos, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(photos, 'dog.1.jpg'), 'utf8')).toBe('jpeg');
    // a folder of other runs is refused as well
    const runs = join(tempDir(), 'runs');
    mkdirSync(join(runs, 'earlier'), { recursive: true });
    expect(oneLineError(semigan('train', '--data', 'rings', '--out', runs).stderr)).toMatch(
      /runs holds other files or folders \(earlier\)/,
    );
    // the run's own inputs may sit in its folder
    const exp = join(tempDir(), 'exp');
    mkdirSync(exp);
    writeFileSync(join(exp, 'config.json'), JSON.stringify({ steps: 10 }));
    const withInputs = semigan(
      'train',
      '--data',
      'rings',
      '--config',
      join(exp, 'config.json'),
      '--out',
      exp,
    );
    expect(withInputs.code, withInputs.stderr).toBe(0);
    expect(metrics(exp).step).toBe(10);
  });

  it('compare into a folder whose report covers more (a method, a seed) refuses; a wider call or --force replaces it', () => {
    const out = join(tempDir(), 'grid');
    const grid = (...args: string[]) =>
      semigan(
        'compare',
        '--data',
        'rings',
        '--labels',
        '8',
        '--select',
        'random',
        '--epochs',
        '1',
        '--out',
        out,
        ...args,
      );
    expect(grid('--methods', 'supervised,klogit', '--seeds', '2').code).toBe(0);
    const report = readFileSync(join(out, 'result.json'), 'utf8');
    const narrower = grid('--methods', 'supervised', '--seeds', '1');
    expect(narrower.code).toBe(2);
    expect(oneLineError(narrower.stderr)).toBe(
      `semigan: error: ${out}'s report covers method klogit; seed 2, which this call leaves out: add klogit to --methods, give --seeds 2, give another --out, or --force to replace the report (the finished runs stay in its runs/)`,
    );
    // another labeled budget (or other data) says which flag keeps the report's
    expect(
      oneLineError(grid('--methods', 'supervised,klogit', '--seeds', '2', '--labels', '10').stderr),
    ).toMatch(/covers --labels 8, which this call leaves out: give --labels 8, give another --out/);
    expect(readFileSync(join(out, 'result.json'), 'utf8')).toBe(report);
    // a call that covers every earlier cell (here: one more method) needs no --force
    expect(grid('--methods', 'supervised,klogit,pi', '--seeds', '2').code).toBe(0);
    const forced = grid('--methods', 'pi', '--seeds', '1', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    const cells = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).runs.map(
      (r: { method: string; seed: number }) => `${r.method}/${r.seed}`,
    );
    expect(cells).toEqual(['pi/1']);
    expect(existsSync(join(out, 'runs', 'random-klogit-seed2', 'metrics.json'))).toBe(true);
  });

  it('--force starts over: the new run is exactly a fresh one, and only the old run files go', () => {
    const root = tempDir();
    const [dir, fresh] = [join(root, 'run'), join(root, 'fresh')];
    ringsRun(dir, '--method', 'badgan');
    writeFileSync(join(dir, 'samples-99.png'), 'stale');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const forced = semigan(
      'train',
      '--data',
      'rings',
      '--steps',
      '30',
      '--seed',
      '4',
      '--out',
      dir,
      '--force',
    );
    expect(forced.code, forced.stderr).toBe(0);
    semigan('train', '--data', 'rings', '--steps', '30', '--seed', '4', '--out', fresh);
    expect(metrics(dir).config).toMatchObject({ seed: 4, method: 'klogit-fm', steps: 30 });
    expect(metrics(dir).weightsSha256).toBe(metrics(fresh).weightsSha256);
    expect(existsSync(join(dir, 'samples-99.png'))).toBe(false);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    const both = semigan('train', '--resume', dir, '--force');
    expect(both.code).toBe(2);
    expect(oneLineError(both.stderr)).toMatch(/--resume continues a run and --force starts one over/);
  });
});

describe('messages on the way to a run', () => {
  it('--resume of a missing directory or a file, and --out naming a file, say so and what to give', () => {
    const root = tempDir();
    const file = join(root, 'afile');
    writeFileSync(file, 'x');
    const missing = semigan('train', '--resume', join(root, 'missing'));
    expect(missing.code).toBe(2);
    expect(oneLineError(missing.stderr)).toMatch(
      /cannot resume .*missing: the directory does not exist \(give --resume the --out directory of an earlier semigan train\)$/,
    );
    const notDir = semigan('train', '--resume', file);
    expect(oneLineError(notDir.stderr)).toMatch(/cannot resume .*afile: it is a file, not a run directory/);
    const out = semigan('train', '--data', 'rings', '--out', file);
    expect(out.code).toBe(2);
    expect(oneLineError(out.stderr)).toMatch(
      /output directory .*afile is a file, not a directory: give --out a new or existing directory instead$/,
    );
    mkdirSync(join(root, 'empty'));
    expect(oneLineError(semigan('train', '--resume', join(root, 'empty')).stderr)).toMatch(
      /nothing to resume in .*empty: it has no checkpoint.bin/,
    );
  });
});
