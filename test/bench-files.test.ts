import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countedSeeds, seedGroupTag, seedRole, tagValue } from '../bench/machine.js';
import { mergeIntoResultsFile, runsOfProtocol } from '../bench/partial-results.js';
import { compareRunConfig } from '../src/experiments/compare-config.js';
import { CODE_SIGNATURE } from '../src/train/provenance.js';
import { runSettings } from '../src/train/run-settings.js';
import {
  formatCompareTable,
  labeledSetConflicts,
  summarise,
  type CompareRun,
} from '../src/experiments/compare.js';
import { checkoutState } from '../src/train/provenance.js';
import { percentWithSpread, seedStats } from '../src/util/stats.js';
import { tempDir } from './helpers.js';

describe('bench results files', () => {
  const run = (select: 'random' | 'balanced', seed: number, testAccuracy: number) =>
    ({ select, method: 'supervised', seed, testAccuracy }) as CompareRun;

  it('parallel processes merge their runs into the file instead of replacing each other', () => {
    const path = join(tempDir(), 'partial.json');
    const file = (runs: CompareRun[]) => ({ runs });
    const all = () => true;
    mergeIntoResultsFile(path, [run('random', 1, 0.5)], all, file); // process A
    mergeIntoResultsFile(path, [run('random', 2, 0.6), run('balanced', 2, 0.7)], all, file); // process B
    mergeIntoResultsFile(path, [run('random', 1, 0.55), run('random', 3, 0.8)], all, file); // A again
    const runs = (JSON.parse(readFileSync(path, 'utf8')) as { runs: CompareRun[] }).runs;
    expect(runs.map((r) => `${r.select}${r.seed}:${r.testAccuracy}`)).toEqual([
      'balanced2:0.7',
      'random1:0.55',
      'random2:0.6',
      'random3:0.8',
    ]);
    // runs the caller does not accept (another configuration) are left out
    writeFileSync(path, JSON.stringify({ runs }));
    mergeIntoResultsFile(path, [run('random', 1, 0.5)], (r) => r.select === 'random', file);
    expect((JSON.parse(readFileSync(path, 'utf8')) as { runs: CompareRun[] }).runs).toHaveLength(3);
  });

  it('a summary averages only runs that trained exactly this protocol, and names each one it leaves out', () => {
    const protocol = {
      labels: 100,
      validationPerClass: 0,
      epochs: 30,
      ganWeight: { 'klogit-fm+fixmatch': 0.1 },
    };
    const wanted = (r: CompareRun) => runSettings(compareRunConfig(protocol, 'images:photos', r, [], 50));
    const code = [{ commit: 'abc', dirty: false, atStep: 0, date: '', signature: CODE_SIGNATURE }];
    // each seed's own labeled set: a difference there is not a difference of protocol
    const examples = (seed: number) => [{ id: `cat/${seed}.jpg`, label: 'cat' }];
    const recorded = (method: 'fixmatch' | 'klogit-fm+fixmatch', seed: number, o: object = {}) => {
      const at = { select: 'random' as const, method, seed };
      const config = { ...compareRunConfig(protocol, 'images:photos', at, examples(seed), 50), ...o };
      return { ...at, testAccuracy: 0.7, settings: runSettings(config), code } as unknown as CompareRun;
    };
    const same = [recorded('fixmatch', 4), recorded('fixmatch', 5), recorded('klogit-fm+fixmatch', 4)];
    const lines: string[] = [];
    expect(runsOfProtocol(same, wanted, (l) => lines.push(l))).toEqual(same);
    expect(lines).toEqual([]);
    const others = [
      recorded('klogit-fm+fixmatch', 5, { ganWeight: 1 }), // the recipe's weight changed
      recorded('fixmatch', 6, { epochs: 10 }),
      { ...recorded('fixmatch', 7), code: [{ ...code[0], signature: 'semigan-training-v0' }] },
      { ...recorded('fixmatch', 8), settings: undefined } as unknown as CompareRun,
    ];
    expect(runsOfProtocol([...same, ...others], wanted, (l) => lines.push(l))).toEqual(same);
    expect(lines).toEqual([
      'left out of the summary: random/klogit-fm+fixmatch/seed 5: its ganWeight null ≠ 0.1',
      'left out of the summary: random/fixmatch/seed 6: its epochs 10 ≠ 30',
      expect.stringMatching(/^left out of the summary: random\/fixmatch\/seed 7: it ran other training code/),
      'left out of the summary: random/fixmatch/seed 8: it recorded no settings (older results)',
    ]);
  });

  it('tags keep protocols and seed groups apart: no two settings share a file name', () => {
    expect(['1,2,3', '1', '2,3'].map((s) => seedGroupTag(s.split(',').map(Number)))).toEqual(['', '', '']);
    expect(['4,5,6', '4', '5,6'].map((s) => seedGroupTag(s.split(',').map(Number)))).toEqual([
      '-seeds4-6',
      '-seeds4-6',
      '-seeds4-6',
    ]);
    expect(() => seedGroupTag([3, 4])).toThrow(/one group of three/);
    // and each file says what its seeds can show: the group that chose recipes, or a fresh one
    expect(seedRole([1, 2, 3])).toMatch(/^exploration: .*not evidence for a target$/);
    expect(seedRole([5])).toMatch(/^fresh: /);
    // a seed still training is left out of the mean of the finished ones; while none has finished, all count
    expect(countedSeeds([100, 100, 12], 100)).toEqual([0, 1]);
    expect(countedSeeds([5, 12], 100)).toEqual([0, 1]);
    expect(tagValue('rotate=1.5')).not.toBe(tagValue('rotate=15'));
    expect([tagValue('0.8'), tagValue('0.08'), tagValue('strong')]).toEqual(['0p8', '0p08', 'strong']);
  });

  it('runs of one strategy and seed on different labeled sets are named, not summarised as one comparison', () => {
    const on = (method: 'supervised' | 'fixmatch', seed: number, sha: string) =>
      ({ select: 'representative', method, seed, labeledSubset: { idsSha256: sha } }) as CompareRun;
    expect(
      labeledSetConflicts([on('supervised', 4, 'aa'), on('fixmatch', 4, 'aa'), on('supervised', 5, 'bb')]),
    ).toEqual([]);
    expect(labeledSetConflicts([on('supervised', 4, 'aa11aa11ff'), on('fixmatch', 4, 'bb22bb22ff')])).toEqual(
      [
        'representative/seed 4: the methods trained on different labeled sets (supervised: aa11aa11; fixmatch: bb22bb22)',
      ],
    );
  });

  it("each method's gain over supervised is paired by seed: the labeled set moves both runs alike", () => {
    const run = (method: string, seed: number, testAccuracy: number) =>
      ({ select: 'random', method, seed, testAccuracy, labelsRead: 100 }) as CompareRun;
    // the seeds' labeled sets differ by 10 points and FixMatch gains 12–14 on each: the paired SD is small
    const runs = [
      run('supervised', 4, 0.6),
      run('supervised', 5, 0.7),
      run('supervised', 6, 0.65),
      run('fixmatch', 4, 0.74),
      run('fixmatch', 5, 0.82),
      run('fixmatch', 6, 0.78),
      run('klogit-fm', 4, 0.58),
    ];
    const s = summarise(runs).random;
    expect(s.supervised.gainOverSupervised).toBeUndefined();
    expect(s.fixmatch.gainOverSupervised).toEqual({ mean: 0.13, sd: 0.01, se: 0.0058, seeds: 3 });
    expect(s.fixmatch.stdTestAccuracy).toBe(0.04); // unpaired, the spread of the labeled sets shows
    expect(s['klogit-fm'].gainOverSupervised).toEqual({ mean: -0.02, sd: null, se: null, seeds: 1 });
    const table = formatCompareTable({
      dataset: 'photos',
      labels: 100,
      runs,
      summary: summarise(runs),
      labeledSets: {},
    });
    expect(table).toContain('random: fixmatch +13.0 ± 1.0 (SE 0.6), klogit-fm -2.0');
  });

  it('a run is dirty when code differs from its commit, not when prose or bench results do', () => {
    const dir = tempDir();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    for (const f of ['src/a.ts', 'docs/b.md', 'README.md', 'bench/results/c.json']) {
      mkdirSync(join(dir, dirname(f)), { recursive: true });
      writeFileSync(join(dir, f), 'one\n');
    }
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
    const head = git('rev-parse', 'HEAD');
    for (const f of ['docs/b.md', 'README.md', 'bench/results/c.json']) writeFileSync(join(dir, f), 'two\n');
    expect(checkoutState(dir)).toEqual({ commit: head, dirty: false });
    writeFileSync(join(dir, 'src/a.ts'), 'two\n');
    expect(checkoutState(dir)).toEqual({ commit: head, dirty: true });
    // semigan installed inside someone's project is not a checkout of semigan: the project's commit is not its code
    const installed = join(dir, 'node_modules', 'semigan');
    mkdirSync(installed, { recursive: true });
    expect(checkoutState(installed)).toBeNull();
    expect(checkoutState(tempDir())).toBeNull();
  });

  it('summaries give the sample SD (n − 1) and the standard error, and no spread from one run', () => {
    // cats-dogs representative klogit-fm: 3.49 points with n, 4.27 as a sample SD
    const s = seedStats([0.5745, 0.6405, 0.6545]);
    expect(s.sd! * 100).toBeCloseTo(4.27, 2);
    expect(s.se).toBeCloseTo(s.sd! / Math.sqrt(3), 12);
    expect(seedStats([2, 4]).sd).toBeCloseTo(Math.SQRT2, 12);
    expect(seedStats([0.7])).toEqual({ mean: 0.7, sd: null, se: null, n: 1 });
    // tables and reports show both: the spread of one run and the uncertainty of the mean
    const t = seedStats([0.6, 0.7, 0.8]);
    expect(percentWithSpread(t.mean, t.sd, t.se)).toBe('70.0 ± 10.0 (SE 5.8)');
    expect(percentWithSpread(0.7, null, null)).toBe('70.0');
  });
});
