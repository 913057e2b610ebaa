import { readFileSync, writeFileSync, cpSync, appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { oneLineError, semigan, tempDir } from './helpers.js';

describe('export and predict', () => {
  let dir: string;
  let pts: string;
  beforeAll(() => {
    dir = tempDir();
    const r = semigan(
      'train',
      '--data',
      'rings',
      '--method',
      'klogit-fm',
      '--steps',
      '200',
      '--out',
      join(dir, 'run'),
    );
    expect(r.code, r.stderr).toBe(0);
    pts = join(dir, 'pts.csv');
    writeFileSync(pts, 'x,y\n0,0\n0.3,-0.2\n2.1,0.4\n-1.9,-0.9\n');
  });

  it('exports a tfjs layers model that predicts what the run predicts (classes exactly, probabilities to 1e-5)', () => {
    const e = semigan('export', '--model', join(dir, 'run'), '--out', join(dir, 'exp'));
    expect(e.code, e.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'exp', 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.userDefinedMetadata.semigan.classNames).toEqual(['inner', 'outer']);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const fromRun = semigan('predict', '--model', join(dir, 'run'), pts);
    const fromExport = semigan('predict', '--model', join(dir, 'exp'), pts);
    expect(fromRun.code, fromRun.stderr).toBe(0);
    // the run's forward pass uses semigan's fused kernels, the export tf.layers' ops: the same function,
    // rounded differently in the last float digits
    const rows = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => l.split(','));
    const [got, want] = [rows(fromExport.stdout), rows(fromRun.stdout)];
    expect(got.map((r) => r.slice(0, 2))).toEqual(want.map((r) => r.slice(0, 2)));
    got
      .slice(1)
      .forEach((r, i) =>
        r
          .slice(2)
          .forEach((p, j) => expect(Math.abs(Number(p) - Number(want[i + 1][j + 2]))).toBeLessThan(1e-5)),
      );
    const lines = fromExport.stdout.trim().split('\n');
    expect(lines[0]).toBe('file,class,p_inner,p_outer');
    expect(lines).toHaveLength(5);
    const json2 = JSON.parse(semigan('predict', '--model', join(dir, 'exp'), '--format', 'json', pts).stdout);
    expect(json2[0].probabilities.inner + json2[0].probabilities.outer).toBeCloseTo(1, 5);
  });

  it('refuses tampered weights, mismatched metadata and missing files with one line, exit 1', () => {
    const bad = join(dir, 'bad');
    cpSync(join(dir, 'exp'), bad, { recursive: true });
    appendFileSync(join(bad, 'weights.bin'), Buffer.from([1, 2, 3, 4]));
    let r = semigan('predict', '--model', bad, pts);
    expect(r.code).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/weights.bin does not match model.json/);

    const renamed = join(dir, 'renamed');
    cpSync(join(dir, 'exp'), renamed, { recursive: true });
    const json = JSON.parse(readFileSync(join(renamed, 'model.json'), 'utf8'));
    json.userDefinedMetadata.semigan.classNames = ['a', 'b', 'c'];
    writeFileSync(join(renamed, 'model.json'), JSON.stringify(json));
    r = semigan('predict', '--model', renamed, pts);
    expect(r.code).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/gives 2 outputs, but its metadata says .* 3 classes/);

    json.userDefinedMetadata.semigan.version = 7;
    writeFileSync(join(renamed, 'model.json'), JSON.stringify(json));
    expect(oneLineError(semigan('predict', '--model', renamed, pts).stderr)).toMatch(/export version 7/);

    writeFileSync(join(renamed, 'model.json'), '{ not json');
    expect(oneLineError(semigan('predict', '--model', renamed, pts).stderr)).toMatch(/is not valid JSON/);

    r = semigan('predict', '--model', join(dir, 'nowhere'), pts);
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/nowhere does not exist/);
    r = semigan('predict', '--model', dir, pts);
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/neither a run directory .* nor an export/);
    r = semigan('eval', '--model', join(dir, 'exp'));
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/is an exported model; this command needs the run directory/);
    // another toy's classes are not the model's, though its points have the same shape: scored by index, they
    // would print a meaningless accuracy
    r = semigan('eval', '--model', join(dir, 'run'), '--data', 'moons');
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(
      /the model's classes are inner, outer, and moons has upper, lower/,
    );
    r = semigan('predict', '--model', join(dir, 'exp'), join(dir, 'missing.csv'));
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/missing.csv does not exist/);
  });

  it('predict --out and export --out never replace earlier files without --force', () => {
    const kept = join(dir, 'hand-labels.csv');
    writeFileSync(kept, 'file,label\na.png,cat\n');
    let r = semigan('predict', '--model', join(dir, 'run'), pts, '--out', kept);
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(/hand-labels.csv exists \(use --force to overwrite\)/);
    expect(readFileSync(kept, 'utf8')).toBe('file,label\na.png,cat\n');
    r = semigan('predict', '--model', join(dir, 'run'), pts, '--out', kept, '--force');
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(kept, 'utf8')).toMatch(/^file,class,p_inner,p_outer\n/);

    const exp = join(dir, 'exp2');
    expect(semigan('export', '--model', join(dir, 'run'), '--out', exp).code).toBe(0);
    const before = readFileSync(join(exp, 'model.json'), 'utf8');
    r = semigan('export', '--model', join(dir, 'run'), '--out', exp);
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(
      /exp2 already holds an exported model \(use --force to replace it\)/,
    );
    expect(readFileSync(join(exp, 'model.json'), 'utf8')).toBe(before);
    expect(semigan('export', '--model', join(dir, 'run'), '--out', exp, '--force').code).toBe(0);
  });

  it('photos for a points model: one line saying what the model takes and what to give it', async () => {
    const photos = join(dir, 'photos');
    mkdirSync(photos);
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toFile(join(photos, 'a.png'));
    for (const model of ['run', 'exp']) {
      const r = semigan('predict', '--model', join(dir, model), photos);
      expect(r.code).toBe(2);
      expect(oneLineError(r.stderr)).toMatch(
        /photos holds images \(no \.csv or \.txt file\), but this model takes 2 numbers per row \(a CSV of x,y points\); give it CSV files of points/,
      );
    }
    const one = semigan('predict', '--model', join(dir, 'run'), pts, join(photos, 'a.png'));
    expect(one.code).toBe(2);
    expect(oneLineError(one.stderr)).toMatch(/a\.png is an image, but this model takes 2 numbers per row/);
    const bad = join(dir, 'three.csv');
    writeFileSync(bad, '1,2,3\n');
    const none = semigan('predict', '--model', join(dir, 'run'), bad);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n').at(-1)).toMatch(
      /^semigan: error: no readable inputs among .*three\.csv \(1 skipped\); this model takes 2 numbers per row/,
    );
  });
});
