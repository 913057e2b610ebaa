import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runTraining, settingConflict, type RunConfig, type RunMetrics } from '../src/train/run.js';
import { BIN, oneLineError, runMetrics as metrics, semigan, tempDir } from './helpers.js';

const ckpt = (dir: string) => readFileSync(join(dir, 'checkpoint.bin'));

/** A finished rings run: seed 3, 40 steps (4 epochs of 10), klogit-fm. */
function ringsRun(dir: string, ...extra: string[]) {
  const r = semigan('train', '--data', 'rings', '--steps', '40', '--seed', '3', '--out', dir, ...extra);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

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

  it('--resume refuses each flag that contradicts the checkpoint, naming the flag and both values', () => {
    const root = tempDir();
    const dir = join(root, 'run');
    ringsRun(dir);
    const before = ckpt(dir);
    const csv = join(root, 'labels.csv');
    writeFileSync(csv, 'file,label\n0,inner\n1,outer\n');
    const cases: [string[], string][] = [
      [['--data', 'moons'], '--data gives data moons, the run has rings'],
      [['--method', 'badgan'], '--method gives method badgan, the run has klogit-fm'],
      [['--labels', '20'], '--labels gives 10 labels per class, the run has 4'],
      [['--labels-csv', csv], '--labels-csv gives labeledExamples 2 chosen labeled examples (ids sha256 '],
      [['--seed', '4'], '--seed gives seed 4, the run has 3'],
      [['--lr', '0.01'], '--lr gives learningRate 0.01, the run has the default'],
      [['--g-lr', '0.01'], '--g-lr gives optimizer.generatorLearningRate 0.01, the run has the default'],
      [['--beta1', '0.9'], '--beta1 gives optimizer.beta1 0.9, the run has the default'],
      [['--g-beta1', '0'], '--g-beta1 gives optimizer.generatorBeta1 0, the run has the default'],
      [['--beta2', '0.99'], '--beta2 gives optimizer.beta2 0.99, the run has the default'],
      [
        ['--adam-epsilon', 'inside'],
        '--adam-epsilon gives optimizer.adamEpsilon inside, the run has the default',
      ],
      [['--augment', 'flip,shift=2'], '--augment gives augment flip,shift=2, the run has the default'],
      [['--consistency', '1'], '--consistency gives consistency 1, the run has the default'],
      [
        ['--consistency-rampup', '5'],
        '--consistency-rampup gives consistencyRampup 5, the run has the default',
      ],
      [['--lr-decay-from', '2'], '--lr-decay-from gives lrDecay.startEpoch 2, the run has the default'],
      [['--quick'], '--quick gives stepsPerEpoch 50, the run has the default'],
      [
        ['--out', join(root, 'other')],
        `--out ${join(root, 'other')} and --resume ${dir} name different directories`,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = semigan('train', '--resume', dir, ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(oneLineError(r.stderr)).toContain(message);
    }
    expect(oneLineError(semigan('train', '--resume', dir, '--seed', '4').stderr)).toBe(
      `semigan: error: cannot resume ${dir}: --seed gives seed 4, the run has 3 ` +
        '(leave --seed out to continue the run as it was, or train a new run with another --out)',
    );
    expect(ckpt(dir).equals(before)).toBe(true);
    // a flag from a --config file counts as given
    const cfg = join(root, 'c.json');
    writeFileSync(cfg, JSON.stringify({ method: 'kplus1' }));
    expect(oneLineError(semigan('train', '--resume', dir, '--config', cfg).stderr)).toContain(
      '--method gives method kplus1, the run has klogit-fm',
    );
  });

  it('--resume refuses another image size, unlabeled folder or augmentation for a photo run', async () => {
    const root = tempDir();
    for (const folder of ['photos/cat', 'photos/dog', 'more/x']) {
      mkdirSync(join(root, folder), { recursive: true });
      for (let i = 0; i < 4; i++) {
        const px = Buffer.alloc(8 * 8 * 3, folder.includes('cat') ? 40 + i : 200 - i);
        await sharp(px, { raw: { width: 8, height: 8, channels: 3 } }).toFile(join(root, folder, `${i}.png`));
      }
    }
    const dir = join(root, 'run');
    const data = ['--data', `images:${join(root, 'photos')}`];
    const first = semigan(
      'train',
      ...data,
      '--image-size',
      '16',
      '--labels',
      '2',
      '--steps',
      '2',
      '--out',
      dir,
    );
    expect(first.code, first.stderr).toBe(0);
    const cases: [string[], string][] = [
      [
        ['--image-size', '32'],
        `--image-size gives data images:${join(root, 'photos')}?size=32, the run has images:`,
      ],
      [
        ['--unlabeled', join(root, 'more')],
        `--unlabeled gives data images:${join(root, 'photos')}?size=16&unlabeled=`,
      ],
      [['--augment', 'off'], '--augment gives augment off, the run has the default'],
    ];
    for (const [flags, message] of cases) {
      const r = semigan('train', '--resume', dir, ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(oneLineError(r.stderr)).toContain(message);
    }
    const same = semigan('train', '--resume', dir, ...data, '--image-size', '16', '--steps', '3');
    expect(same.code, same.stderr).toBe(0);
  });

  it('--resume accepts what may change (length, checkpoint cadence, rollback limits, backend) and flags that agree, bit for bit', () => {
    const root = tempDir();
    const [whole, split] = [join(root, 'whole'), join(root, 'split')];
    const args = ['--data', 'rings', '--seed', '3'];
    expect(semigan('train', ...args, '--steps', '60', '--out', whole).code).toBe(0);
    expect(semigan('train', ...args, '--steps', '20', '--out', split).code).toBe(0);
    const more = semigan(
      'train',
      '--resume',
      split,
      '--steps',
      '40',
      '--checkpoint-every',
      '7',
      '--max-rollbacks',
      '5',
      '--collapse-steps',
      '300',
      '--backend',
      'wasm',
      ...args,
      '--method',
      'klogit-fm',
      '--labels',
      '8',
      '--out',
      split,
    );
    expect(more.code, more.stderr).toBe(0);
    expect(metrics(split).config).toMatchObject({
      steps: 40,
      checkpointEverySteps: 7,
      maxRollbacks: 5,
      collapseSteps: 300,
    });
    const last = semigan('train', '--resume', split, '--epochs', '6');
    expect(last.code, last.stderr).toBe(0);
    expect(metrics(split).step).toBe(60);
    expect(metrics(split).weightsSha256).toBe(metrics(whole).weightsSha256);
  });

  it('runTraining compares the settings of the caller with those of the checkpoint instead of replacing them', async () => {
    const dir = join(tempDir(), 'run');
    const config: RunConfig = {
      data: 'rings',
      method: 'klogit-fm',
      labelsPerClass: 4,
      seed: 3,
      epochs: 2,
      checkpointEverySteps: 500,
    };
    await runTraining(config, dir);
    await expect(runTraining({ ...config, method: 'badgan' }, dir, {}, true)).rejects.toThrow(
      /cannot resume .* with other settings: method is badgan now but klogit-fm in its checkpoint/,
    );
    await expect(runTraining({ ...config, validationPerClass: 5 }, dir, {}, true)).rejects.toThrow(
      /validationPerClass is 5 now but the default/,
    );
    await expect(runTraining(config, dir)).rejects.toThrow(/already holds a finished run/);
    const longer = await runTraining({ ...config, epochs: 3, checkpointEverySteps: 5 }, dir, {}, true);
    expect(longer.step).toBe(30);
    expect(longer.config.epochs).toBe(3);
    // --gan-weight 1 is the default: the same run, given or not
    const same = await runTraining({ ...config, epochs: 3, ganWeight: 1 }, dir, {}, true);
    expect(same.step).toBe(30);
  });

  it("a method's own FixMatch term, given or left out, is the same run; another threshold is not", () => {
    const fix: RunConfig = {
      data: 'rings',
      method: 'fixmatch',
      labelsPerClass: 4,
      seed: 1,
      epochs: 1,
      checkpointEverySteps: 5,
    };
    const given = { ...fix, pseudoLabels: { weight: 1, threshold: 0.95 } };
    expect(settingConflict(fix, given)).toBeUndefined();
    expect(settingConflict(given, fix)).toBeUndefined();
    expect(settingConflict(fix, { ...fix, pseudoLabels: { weight: 1, threshold: 0.8 } })?.key).toBe(
      'pseudoLabels.threshold',
    );
    // klogit-fm has no such term by default: adding it changes the run
    const gan = { ...fix, method: 'klogit-fm' as const };
    expect(settingConflict(gan, { ...gan, pseudoLabels: { weight: 1, threshold: 0.95 } })?.key).toBe(
      'pseudoLabels.weight',
    );
  });

  it('a finished run resumed to go further is not finished until it gets there, nor are its figures', async () => {
    const dir = join(tempDir(), 'run');
    const config: RunConfig = {
      data: 'rings',
      method: 'supervised',
      labelsPerClass: 4,
      seed: 1,
      epochs: 2,
      checkpointEverySteps: 5,
    };
    expect((await runTraining(config, dir)).complete).toBe(true);
    const stopped = await runTraining({ ...config, epochs: 5 }, dir, { shouldStop: () => true }, true);
    expect(stopped.step).toBe(21);
    expect(stopped.complete).toBe(false);
    expect(metrics(dir).complete).toBe(false);
    expect(metrics(dir).testAccuracy).toBeUndefined();
    const resumed = await runTraining({ ...config, epochs: 5 }, dir, {}, true);
    expect(resumed.complete).toBe(true);
    expect(resumed.step).toBe(50);
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

describe('a resume that asks for no more', () => {
  it('of a plain GAN, or of a stopped run already past it, trains and writes nothing', async () => {
    const root = tempDir();
    const gan = join(root, 'gan');
    expect(semigan('train', '--data', 'rings', '--method', 'gan', '--epochs', '1', '--out', gan).code).toBe(
      0,
    );
    const files = () => [ckpt(gan), readFileSync(join(gan, 'metrics.json'))];
    const before = files();
    const r = semigan('train', '--resume', gan);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/already at step 10, as far as --epochs\/--steps ask: nothing more to train/);
    expect(files()).toEqual(before);

    const dir = join(root, 'stopped');
    const config: RunConfig = {
      data: 'rings',
      method: 'klogit-fm',
      labelsPerClass: 4,
      seed: 1,
      epochs: 5,
      checkpointEverySteps: 5,
    };
    let steps = 0;
    await runTraining(config, dir, { onStep: () => void steps++, shouldStop: () => steps >= 33 });
    const stoppedAt = metrics(dir);
    expect(stoppedAt.complete).toBe(false);
    const short = semigan('train', '--resume', dir, '--steps', '20');
    expect(short.code, short.stderr).toBe(0);
    expect(short.stderr).toMatch(/already at step 33/);
    expect(metrics(dir)).toEqual(stoppedAt);
  });

  it('says the run is already that far and leaves it as it was', () => {
    const dir = join(tempDir(), 'r');
    expect(semigan('train', '--data', 'rings', '--steps', '40', '--out', dir).code).toBe(0);
    const before = readFileSync(join(dir, 'metrics.json'), 'utf8');
    const r = semigan('train', '--resume', dir, '--steps', '20');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/already at step 40, as far as --epochs\/--steps ask: nothing more to train/);
    expect(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')).weightsSha256).toBe(
      JSON.parse(before).weightsSha256,
    );
  });
});

describe('one model, one figure (early stopping)', () => {
  it('a run stopped between epochs (--steps 25 of 10-step epochs) reports the weights it stopped with', () => {
    const dir = join(tempDir(), 'r');
    const r = semigan('train', '--data', 'rings', '--steps', '25', '--seed', '2', '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    const m = metrics(dir);
    expect(m.epochs.at(-1).step).toBe(20);
    const correct = m.confusion[0][0] + m.confusion[1][1];
    expect(m.testAccuracy).toBe(correct / 1000);
    // the test bites only where step 25's weights score otherwise than step 20's
    expect(m.testAccuracy).not.toBe(m.epochs.at(-1).testAccuracy);
    expect(r.stdout + r.stderr).toContain(
      `test accuracy ${(m.testAccuracy * 100).toFixed(2)}% after 25 steps`,
    );
    const e = semigan('eval', '--model', dir);
    expect(e.stdout).toContain(`test accuracy ${(m.testAccuracy * 100).toFixed(2)}%`);
  });

  it('eval of a compare run that stopped early reproduces its reported accuracy and confusion matrix', () => {
    const out = tempDir();
    const r = semigan(
      'compare',
      '--data',
      'rings',
      '--methods',
      'supervised',
      '--select',
      'random',
      '--seeds',
      '1',
      '--epochs',
      '15',
      '--labels',
      '8',
      '--validation',
      '20',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const dir = join(out, 'runs', 'random-supervised-seed1');
    const m = metrics(dir);
    // the test bites only where the selected epoch's model differs from the final one
    expect(m.selectedEpoch).toBeLessThan(15);
    expect(m.testAccuracy).not.toBe(m.epochs.at(-1).testAccuracy);
    expect(m.testAccuracy).toBe(m.epochs[m.selectedEpoch - 1].testAccuracy);
    const correct = m.confusion[0][0] + m.confusion[1][1];
    expect(correct / 1000).toBe(m.testAccuracy);
    const e = semigan('eval', '--model', dir);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toContain(`test accuracy ${(m.testAccuracy * 100).toFixed(2)}%`);
    const rows = e.stdout.trim().split('\n').slice(-2);
    expect(rows.map((row) => row.trim().split(/\s+/).slice(1).map(Number))).toEqual(m.confusion);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.runs[0]).toMatchObject({ testAccuracy: m.testAccuracy, selectedEpoch: m.selectedEpoch });
  });

  it('a stop in the middle of an epoch and a resume log the same epoch losses as one go', async () => {
    const root = tempDir();
    const config: RunConfig = {
      data: 'rings',
      method: 'klogit-fm',
      labelsPerClass: 4,
      seed: 1,
      epochs: 3,
      checkpointEverySteps: 500,
    };
    const whole = await runTraining(config, join(root, 'whole'));
    let steps = 0;
    const stopped = await runTraining(config, join(root, 'split'), {
      onStep: () => void steps++,
      shouldStop: () => steps >= 13,
    });
    expect(stopped.step).toBe(13); // epoch 2 of 9 steps each, 4 steps in
    const parts = await runTraining(config, join(root, 'split'), {}, true);
    const logged = (m: RunMetrics) => m.epochs.map(({ seconds: _, ...rest }) => rest);
    expect(logged(parts)).toEqual(logged(whole));
    expect(parts.weightsSha256).toBe(whole.weightsSha256);
  });

  it('the selected epoch survives a stop and a resume: same choice, same weights hash as one go', async () => {
    const root = tempDir();
    const config: RunConfig = {
      data: 'rings',
      method: 'supervised',
      labelsPerClass: 4,
      validationPerClass: 20,
      selectBest: true,
      seed: 1,
      epochs: 15,
      checkpointEverySteps: 500,
    };
    const whole = await runTraining(config, join(root, 'whole'));
    expect(whole.selectedEpoch).toBe(5);
    // stop at epoch 8, after the best epoch: its weights can come only from the checkpoint
    let epoch = 0;
    const stopAt8 = {
      onEpoch: (m: { epoch: number }) => void (epoch = m.epoch),
      shouldStop: () => epoch >= 8,
    };
    const stopped = await runTraining(config, join(root, 'split'), stopAt8);
    expect(stopped.complete).toBe(false);
    expect(stopped.step).toBe(72);
    await runTraining(config, join(root, 'split'), {}, true);
    const parts = metrics(join(root, 'split'));
    expect(parts.selectedEpoch).toBe(5);
    expect(parts.weightsSha256).toBe(whole.weightsSha256);
    expect(parts.confusion).toEqual(whole.confusion);
  });
});
