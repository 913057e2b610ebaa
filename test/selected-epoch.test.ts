import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTraining, type RunConfig, type RunMetrics } from '../src/train/run.js';
import { runMetrics as metrics, semigan, tempDir } from './helpers.js';

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
    expect(r.stdout).toContain(`classify new data with: npx semigan predict --model ${dir} points.csv\n`);
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

  it('a stop in the middle of an epoch and a resume log the same epoch losses and time as one go', async () => {
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
    let perEpoch = Infinity;
    const stopped = await runTraining(config, join(root, 'split'), {
      onStart: (i) => void (perEpoch = i.stepsPerEpoch),
      onStep: (step) => {
        steps++;
        // epoch 2's steps before the stop take 0.15 s each: time the resumed epoch must still count
        const until = performance.now() + (step > perEpoch ? 150 : 0);
        while (performance.now() < until);
      },
      shouldStop: () => steps >= 13,
    });
    expect(stopped.step).toBe(13); // in epoch 2
    const parts = await runTraining(config, join(root, 'split'), {}, true);
    const logged = (m: RunMetrics) => m.epochs.map(({ seconds: _, ...rest }) => rest);
    expect(logged(parts)).toEqual(logged(whole));
    expect(parts.weightsSha256).toBe(whole.weightsSha256);
    // the epoch's time is its seconds before the stop and after the resume
    expect(perEpoch).toBeLessThan(13);
    expect(parts.epochs[1].seconds).toBeGreaterThanOrEqual((13 - perEpoch) * 0.15 - 0.05);
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
