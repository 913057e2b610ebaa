import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLineError, semigan, tempDir } from './helpers.js';

/** A demo of a few steps, one method: the files a full demo writes, in seconds. */
const tinyDemo = (out: string, seed: string) =>
  semigan('demo', '--out', out, '--seed', seed, '--steps', '5', '--methods', 'supervised');
/** A compare of one run of one epoch. */
const TINY_COMPARE = '--data rings --methods supervised --select random --seeds 1 --epochs 1'.split(' ');
const tinyCompare = (out: string) => semigan('compare', ...TINY_COMPARE, '--out', out);

describe('an --out that holds another command output is refused, never overwritten', () => {
  const dir = tempDir();
  const demo = join(dir, 'demo');
  const run = join(dir, 'run');

  it('demo replaces its own earlier output only after saying which one it was', () => {
    expect(tinyDemo(demo, '1').code).toBe(0);
    const r = tinyDemo(demo, '4');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`replacing the earlier demo in ${demo} (rings, seed 1)`);
    expect(JSON.parse(readFileSync(join(demo, 'result.json'), 'utf8')).seed).toBe(4);
  });

  it('compare, train and export refuse a demo folder; demo refuses a run; files stay as they were', () => {
    const story = readFileSync(join(demo, 'story.html'), 'utf8');
    const refusals = [
      semigan('compare', '--data', 'rings', '--out', demo, '--epochs', '1'),
      semigan('train', '--data', 'rings', '--out', demo, '--steps', '5'),
    ];
    for (const r of refusals) {
      expect(r.code).toBe(2);
      expect(oneLineError(r.stderr)).toMatch(
        /demo holds a semigan demo's pictures and story.html: give \w+ another --out/,
      );
    }
    expect(readFileSync(join(demo, 'story.html'), 'utf8')).toBe(story);

    expect(semigan('train', '--data', 'rings', '--out', run, '--steps', '5').code).toBe(0);
    const metrics = readFileSync(join(run, 'metrics.json'), 'utf8');
    for (const r of [tinyDemo(run, '1'), semigan('export', '--model', demo, '--out', run)]) {
      expect(r.code).toBe(2);
      expect(oneLineError(r.stderr)).toMatch(
        /run holds a training run \(checkpoint.bin\): give \w+ another --out/,
      );
    }
    expect(readFileSync(join(run, 'metrics.json'), 'utf8')).toBe(metrics);
  });

  it('a compare folder (runs/ with its labeled sets or result) is refused by demo', () => {
    const cmp = join(dir, 'cmp');
    expect(semigan('train', '--data', 'rings', '--out', join(cmp, 'runs', 'a'), '--steps', '5').code).toBe(0);
    writeFileSync(join(cmp, 'result.json'), '{"runs":[]}');
    const r = tinyDemo(cmp, '1');
    expect(r.code).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(
      /cmp holds a semigan compare's runs and result.json: give demo another --out/,
    );
    expect(readFileSync(join(cmp, 'result.json'), 'utf8')).toBe('{"runs":[]}');
  });

  it("a folder of the user's own files is refused by demo, compare and export, and the files stay", () => {
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    for (const f of ['result.json', 'labels.png', 'weights.bin']) writeFileSync(join(mine, f), 'MINE');
    writeFileSync(join(mine, 'notes.txt'), 'MINE');
    for (const [command, r] of [
      ['demo', tinyDemo(mine, '1')],
      ['compare', tinyCompare(mine)],
      ['export', semigan('export', '--model', run, '--out', mine)],
    ] as const) {
      expect(r.code, command).toBe(2);
      expect(oneLineError(r.stderr)).toMatch(
        new RegExp(
          `mine holds files ${command} did not write \\(\\w[^)]*\\): give --out a new or empty directory$`,
        ),
      );
    }
    for (const f of ['result.json', 'labels.png', 'weights.bin', 'notes.txt'])
      expect(readFileSync(join(mine, f), 'utf8')).toBe('MINE');
    // the command's own --config file may sit in its folder
    const withConfig = join(dir, 'with-config');
    mkdirSync(withConfig);
    writeFileSync(join(withConfig, 'demo.json'), JSON.stringify({ steps: 5, methods: ['supervised'] }));
    const r = semigan('demo', '--out', withConfig, '--config', join(withConfig, 'demo.json'));
    expect(r.code, r.stderr).toBe(0);
    // run again without --config, the file reads as the user's, and the line says how to keep it
    const bare = semigan('demo', '--out', withConfig, '--steps', '5', '--methods', 'supervised');
    expect(oneLineError(bare.stderr)).toMatch(
      /holds files demo did not write \(demo\.json\): .* \(a config file may stay there when given as --config\)$/,
    );
  });

  it('a user file with a name the command writes is refused too: only its own earlier output may be replaced', () => {
    const cases: [string, string[], (out: string) => ReturnType<typeof semigan>][] = [
      ['demo', ['result.json', 'story.html'], (out) => tinyDemo(out, '1')],
      ['demo', ['labels.png'], (out) => tinyDemo(out, '1')],
      ['export', ['weights.bin'], (out) => semigan('export', '--model', run, '--out', out)],
      ['export', ['model.json'], (out) => semigan('export', '--model', run, '--out', out)],
      ['compare', ['report.html'], (out) => tinyCompare(out)],
    ];
    for (const [command, files, call] of cases) {
      const out = join(dir, `named-${command}-${files[0]}`);
      mkdirSync(out);
      for (const f of files) writeFileSync(join(out, f), 'MINE');
      const r = call(out);
      expect(r.code, `${command} ${files}`).toBe(2);
      expect(oneLineError(r.stderr)).toMatch(`holds files ${command} did not write`);
      for (const f of files) expect(readFileSync(join(out, f), 'utf8')).toBe('MINE');
    }
  });

  it('a demo replacing one of other methods leaves none of its pictures; a compare stopped early resumes', () => {
    const d = join(dir, 'demo-methods');
    expect(semigan('demo', '--out', d, '--steps', '5', '--methods', 'supervised,klogit').code).toBe(0);
    expect(existsSync(join(d, 'boundary-klogit.png'))).toBe(true);
    const r = semigan('demo', '--out', d, '--steps', '5', '--methods', 'supervised');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(d, 'boundary-klogit.png'))).toBe(false);
    expect(existsSync(join(d, 'boundary-supervised.png'))).toBe(true);
    // a compare stopped after choosing its labels holds labels/ only: its mark still says whose folder it is
    const c = join(dir, 'cmp-early');
    expect(tinyCompare(c).code).toBe(0);
    rmSync(join(c, 'runs'), { recursive: true });
    for (const f of ['result.json', 'report.html']) rmSync(join(c, f));
    const again = tinyCompare(c);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(c, 'result.json'))).toBe(true);
  });

  it('a file --out that names a folder is a usage error (select-labels, predict)', () => {
    for (const r of [
      semigan('select-labels', '--data', 'rings', '--n', '8', '--out', demo, '--force'),
      semigan('predict', '--model', run, join(demo, 'result.json'), '--out', demo, '--force'),
    ]) {
      expect(r.code).toBe(2);
      expect(oneLineError(r.stderr)).toMatch(/demo is a folder: give --out a file name/);
    }
  });

  it('a train that fails before writing leaves no folder it made; a folder the user made stays', () => {
    const made = join(dir, 'new-run');
    for (const args of [
      ['--data', 'mnist:nowhere'],
      ['--data', 'rings', '--labels', '1200'],
    ]) {
      const r = semigan('train', ...args, '--out', made);
      expect(r.code).toBe(2);
      expect(existsSync(made)).toBe(false);
    }
    const own = join(dir, 'own');
    mkdirSync(own);
    expect(semigan('train', '--data', 'mnist:nowhere', '--out', own).code).toBe(2);
    expect(existsSync(own)).toBe(true);
  });
});
