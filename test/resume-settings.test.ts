import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runTraining, settingConflict, type RunConfig } from '../src/train/run.js';
import { oneLineError, runMetrics as metrics, semigan, tempDir, ckpt, ringsRun } from './helpers.js';

describe('a resume continues only the same run', () => {
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
    // the header says the run is done, not "resuming from step 10 of 10", and claims no labels for the plain GAN
    expect(r.stderr).toMatch(
      /gan on rings, no labels \+ 1000 unlabeled, .*\(at step 10, the 10 asked for are done\)/,
    );
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
    const checkpoint = readFileSync(join(dir, 'checkpoint.bin'));
    const r = semigan('train', '--resume', dir, '--steps', '20');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/already at step 40, as far as --epochs\/--steps ask: nothing more to train/);
    expect(JSON.parse(before).weightsSha256).toBeTruthy();
    expect(readFileSync(join(dir, 'metrics.json'), 'utf8')).toBe(before);
    expect(readFileSync(join(dir, 'checkpoint.bin')).equals(checkpoint)).toBe(true);
  });
});
