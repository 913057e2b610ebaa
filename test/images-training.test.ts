import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompare, type CompareRun } from '../src/experiments/compare.js';
import { IMAGES_DEFAULTS } from '../src/experiments/data-defaults.js';
import { gainWithSpread } from '../src/util/stats.js';
import { loadData, parseDataSpec } from '../src/data/spec.js';
import { compareReportHtml } from '../src/report/compare-report.js';
import type { RunConfig } from '../src/train/run-config.js';
import { runTraining } from '../src/train/run.js';
import { semigan, tempDir } from './helpers.js';
import { photoFolder } from './image-fixtures.js';

describe('training on image folders', () => {
  let root: string;
  let cache: string;
  beforeAll(async () => {
    ({ root, cache } = await photoFolder());
  });

  it("a run with strong augmentation, or with FixMatch's strong view, resumes bit for bit", async () => {
    Object.assign(process.env, { SEMIGAN_CACHE: cache });
    const variants: Partial<RunConfig>[] = [
      { method: 'klogit-fm+fixmatch' },
      { method: 'klogit-fm', augment: { flip: true, translate: 2, strong: true } },
    ];
    for (const v of variants) {
      const config: RunConfig = {
        data: `images:${root}?size=16`,
        method: 'fixmatch',
        labelsPerClass: 3,
        seed: 2,
        epochs: 2,
        stepsPerEpoch: 4,
        checkpointEverySteps: 500,
        ...v,
      };
      const dir = tempDir();
      const whole = await runTraining(config, join(dir, 'whole'));
      let steps = 0;
      const stopped = await runTraining(config, join(dir, 'split'), {
        onStep: () => void steps++,
        shouldStop: () => steps >= 5,
      });
      expect(stopped.complete).toBe(false);
      const parts = await runTraining(config, join(dir, 'split'), {}, 'resume');
      expect(parts.weightsSha256, v.method).toBe(whole.weightsSha256);
    }
  }, 120_000);

  it("train on photos: the default is the photos' measured best method; a GAN weight goes with its own method only", () => {
    Object.assign(process.env, { SEMIGAN_CACHE: cache });
    const config = (...flags: string[]) => {
      const out = join(tempDir(), 'run');
      const t = semigan(
        'train',
        '--data',
        `images:${root}?size=8`,
        '--labels',
        '6',
        '--steps',
        '1',
        ...flags,
        '--out',
        out,
      );
      expect(t.code, t.stderr).toBe(0);
      return JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).config;
    };
    const byDefault = config();
    expect([byDefault.method, byDefault.ganWeight, byDefault.epochs]).toEqual([
      'fixmatch',
      undefined,
      IMAGES_DEFAULTS.trainEpochs,
    ]);
    // the SSL-GAN with FixMatch's term keeps its own weight on photos; another GAN method trains at 1
    expect(config('--method', 'klogit-fm+fixmatch').ganWeight).toBe(0.1);
    expect(config('--method', 'klogit-fm').ganWeight).toBeUndefined();
    expect(config('--method', 'klogit-fm+fixmatch', '--gan-weight', '0.5').ganWeight).toBe(0.5);
    // the earlier photo nets stay one flag away, for their results
    expect(config('--preset', 'dcgan-resnet').preset).toBe('dcgan-resnet');
  });

  it('compare: same labeled set for every method within a seed, result.json, table and report.html', async () => {
    const out = tempDir();
    const r = semigan(
      'compare',
      '--data',
      'moons',
      '--labels',
      '6',
      '--seeds',
      '2',
      '--epochs',
      '2',
      '--methods',
      'supervised,klogit-fm',
      '--select',
      'random,representative',
      '--validation',
      '5',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^labels\s+supervised\s+klogit-fm/m);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.labels).toBe(6);
    expect(result.runs).toHaveLength(8);
    for (const seed of [1, 2]) {
      for (const select of ['random', 'representative']) {
        const hashes = result.runs
          .filter((x: { seed: number; select: string }) => x.seed === seed && x.select === select)
          .map((x: { labeledSubset: { idsSha256: string } }) => x.labeledSubset.idsSha256);
        expect(new Set(hashes).size).toBe(1);
      }
    }
    expect(Object.keys(result.summary)).toEqual(['random', 'representative']);
    // two classes, chance 0.5: 20 steps on the moons reach 0.80–0.93 per run
    for (const x of result.runs as CompareRun[]) expect(x.testAccuracy).toBeGreaterThan(0.7);
    expect(result.summary.random.supervised.meanTestAccuracy).toBeGreaterThan(0.75);
    // the labels each run read: its 6 labeled examples and those read to fill 5 validation examples per class
    for (const x of result.runs as CompareRun[]) expect(x.labelsRead).toBeGreaterThanOrEqual(16);
    expect(r.stdout).toMatch(/labels read\n/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<table>/);
    expect(html).toMatch(/<svg/);
    expect(html).toMatch(/Confusion matrices/);
    // each SSL cell says its gain over supervised on the same labeled sets, paired by seed
    const gain = result.summary.random['klogit-fm'].gainOverSupervised;
    expect(gain.seeds).toBe(2);
    expect(gain.mean).toBeCloseTo(
      result.summary.random['klogit-fm'].meanTestAccuracy - result.summary.random.supervised.meanTestAccuracy,
      3,
    );
    expect(html).toContain(`${gainWithSpread(gain)} over supervised`);
    expect(html).toContain('its gain over supervised training in percentage points');
    expect(r.stdout).toContain(`random: klogit-fm ${gainWithSpread(gain)}`);
    const bad = semigan('compare', '--data', 'rings', '--select', 'psychic', '--out', out);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown select 'psychic'/);

    // finished runs handed in (a bench's committed results, directories gone) are reused, not re-trained,
    // but only where the settings (here: the labeled set) are exactly those of the run asked for now
    const tampered = result.runs.map((x: CompareRun, i: number) =>
      i === 0
        ? { ...x, settings: { ...x.settings, labeled: { ...x.settings.labeled, idsSha256: '0'.repeat(64) } } }
        : x,
    );
    const notes: string[] = [];
    const started: string[] = [];
    const again = await runCompare(
      {
        data: 'moons',
        labels: 6,
        seeds: [1, 2],
        epochs: 2,
        methods: ['supervised', 'klogit-fm'],
        select: ['random', 'representative'],
        validationPerClass: 5,
        out: tempDir(),
        finished: tampered,
      },
      { onEpoch: (m) => void started.push(`${m.epoch}`), onNote: (l) => void notes.push(l) },
    );
    expect(started).toEqual(['1', '2']); // only the tampered run trained again, with one line why
    expect(notes).toEqual([
      expect.stringMatching(
        /^not reusing the finished random\/supervised\/seed 1: its labeled .*; training it again$/,
      ),
    ]);
    expect(again.runs.slice(1).map((x) => x.testAccuracy)).toEqual(
      result.runs.slice(1).map((x: CompareRun) => x.testAccuracy),
    );
    expect(again.runs[0].labeledSubset.idsSha256).toBe(result.runs[0].labeledSubset.idsSha256);

    // a report over runs whose directories are partly gone shows the pictures of a seed that still has them all,
    // and says how many runs the curves cover
    for (const x of result.runs as CompareRun[]) {
      if (x.seed === 1 && x.select === 'random') rmSync(join(out, x.dir), { recursive: true });
    }
    const { train } = await loadData(parseDataSpec('moons'), 1);
    const partial = compareReportHtml(result, out, train).split('<h2>Labels chosen: representative')[0]!;
    expect(partial).toMatch(/Confusion matrices \(seed 2, test set\)/);
    expect(partial).toMatch(/2 of 4 runs; the others ran elsewhere/);
    expect(html).toMatch(/Confusion matrices \(seed 1, test set\)/);
  });
});
