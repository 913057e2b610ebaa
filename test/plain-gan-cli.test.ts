import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { oneLineError, semigan, tempDir } from './helpers.js';

describe('semigan train --method gan: the plain GAN from the CLI', () => {
  it("on the rings, writes D's real/fake map with the generated points ten times a run, and no accuracy", () => {
    const out = join(tempDir(), 'gan');
    const r = semigan('train', '--data', 'rings', '--method', 'gan', '--epochs', '20', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trained a plain GAN for 200 steps \(no classifier\)/);
    expect(r.stdout).not.toMatch(/test accuracy/);
    // the labeled batch it carries is not passed off as a labeled subset it learned from
    expect(r.stdout).toMatch(
      /^labels: none used \(a plain GAN\); its batches carry 2 labeled examples its loss never reads/m,
    );
    expect(r.stdout).not.toMatch(/labeled subset:/);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect([m.complete, m.epochs.length, m.ganEpochs.length, m.testAccuracy]).toEqual([
      true,
      0,
      20,
      undefined,
    ]);
    // it reads no label, so it keeps only the one per class that the trainer's labeled batch needs
    expect(m.labeledSubset.perClass).toEqual({ inner: 1, outer: 1 });
    for (let e = 2; e <= 20; e += 2) {
      const png = PNG.sync.read(readFileSync(join(out, `realfake-${e}.png`)));
      expect([png.width, png.height]).toEqual([560, 640]);
    }
    expect(existsSync(join(out, 'realfake-1.png'))).toBe(false);
    // it has no classes: eval, predict and export refuse it in one line, and export writes nothing
    const points = join(tempDir(), 'points.csv');
    writeFileSync(points, 'x,y\n0.1,0.2\n');
    const exported = join(tempDir(), 'exported');
    for (const args of [
      ['eval', '--model', out],
      ['predict', '--model', out, points],
      ['predict', '--model', out, '--format', 'json', points],
      ['export', '--model', out, '--out', exported],
    ]) {
      const refused = semigan(...args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(oneLineError(refused.stderr), args.join(' ')).toMatch(
        /is a plain GAN run \(--method gan\): its discriminator tells real from fake/,
      );
    }
    expect(existsSync(exported)).toBe(false);
  });

  it('with --steps, the pictures follow the epochs the run reaches, not the default --epochs', () => {
    const out = join(tempDir(), 'gan-steps');
    const r = semigan('train', '--data', 'rings', '--method', 'gan', '--steps', '30', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    // 30 steps of 100 over 1000 unlabeled points: 3 epochs, a picture each, the last one included
    for (const e of [1, 2, 3]) expect(existsSync(join(out, `realfake-${e}.png`)), `epoch ${e}`).toBe(true);
  });
});
