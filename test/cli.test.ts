import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { oneLineError, semigan, tempDir } from './helpers.js';

describe('semigan CLI: user mistakes get one clear line, no stack trace', () => {
  const cases: [string[], number, RegExp][] = [
    [['demo', '--seed', 'abc'], 2, /--seed must be an integer.*'abc'/],
    [['demo', '--seed', '1.5'], 2, /--seed must be an integer/],
    [['demo', '--backend', 'nope'], 2, /unknown backend 'nope'/],
    [['demo', '--steps', '0'], 2, /--steps must be an integer from 1/],
    [['demo', '--labels', '-3'], 2, /--labels/],
    [['demo', '--methods', 'supervised,magic'], 2, /unknown method 'magic'/],
    [['demo', '--dataset', 'mnist'], 2, /unknown dataset 'mnist'/],
    [['demo', '--backend', 'webgl'], 1, /runs only in a browser/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
    // a number flag given bare takes the next flag as its value: the line says so
    [
      ['train', '--data', 'rings', '--epochs', '--out', 'x'],
      2,
      /--epochs needs a value before the next option --out/,
    ],
    // commander's suggestion joins the error line instead of a second one
    [
      ['train', '--dta', 'rings'],
      2,
      /unknown option '--dta'; did you mean --data\? \(see semigan train --help\)$/,
    ],
    [['trian'], 2, /unknown command 'trian'; did you mean train\? \(see semigan --help\)$/],
    // a method spelt without its dash, in another case or one letter off gets the name it meant
    [
      ['train', '--method', 'klogitfm', '--data', 'rings'],
      2,
      /unknown method 'klogitfm'; did you mean klogit-fm\? \(/,
    ],
    [
      ['demo', '--methods', 'supervised,FixMach'],
      2,
      /unknown methods? 'FixMach'; did you mean fixmatch\? \(/,
    ],
    [['demo', '--backend', 'wsam'], 2, /unknown backend 'wsam'; did you mean wasm\? \(/],
    // compare refuses, before any run, a lever no run of its grid can take
    [['compare', '--data', 'rings', '--methods', 'supervised', '--augment', 'flip'], 2, /needs image data/],
    [
      ['compare', '--data', 'rings', '--methods', 'supervised', '--pseudo-threshold', '0.8'],
      2,
      /--pseudo-threshold applies to methods with FixMatch's term \(fixmatch, klogit-fm\+fixmatch\)/,
    ],
    [
      ['compare', '--data', 'rings', '--methods', 'supervised,fixmatch', '--gan-weight', '0.1'],
      2,
      /--gan-weight applies to GAN methods \(kplus1, .*klogit-fm\+fixmatch\), and none is compared/,
    ],
    [
      ['train', '--data', 'rings', '--method', 'fixmatch', '--gan-weight', '0.5'],
      2,
      /--gan-weight scales the real\/fake loss of a GAN method .*; fixmatch has none/,
    ],
    [['train', '--data', 'rings', '--gan-weight', '-1'], 2, /--gan-weight must be/],
    [
      ['train', '--data', 'rings', '--preset', 'dcgan-resnet'],
      2,
      /preset dcgan-resnet is for images data, not toy/,
    ],
    [
      ['train', '--data', 'rings', '--preset', 'resnet'],
      2,
      /unknown preset 'resnet' \(choose one of: toy-mlp, improved-gan-mnist, mlp-gan-mnist, dcgan-resnet, photo-cnn\)/,
    ],
    [
      ['compare', '--data', 'images:/nonexistent', '--methods', 'fixmatch', '--augment', 'strong'],
      2,
      /--augment strong would make the weak view that pseudo-labels come from strong too/,
    ],
    // the plain GAN has no classifier for a term on class predictions to act on
    [
      ['train', '--data', 'rings', '--method', 'gan', '--pseudo-labels', '1'],
      2,
      /FixMatch's pseudo-label term acts on a classifier's predictions, and the plain GAN .* use --method klogit-fm\+fixmatch$/,
    ],
    [
      ['train', '--data', 'rings', '--method', 'gan', '--consistency', '1'],
      2,
      /the consistency term acts on a classifier's predictions, .* use --method klogit-fm\+pi$/,
    ],
    // a threshold alone tunes a term the method has; it does not switch the term on
    [
      ['train', '--data', 'rings', '--method', 'gan', '--pseudo-threshold', '0.5'],
      2,
      /--pseudo-threshold tunes FixMatch's pseudo-label term, which gan does not have: use --method fixmatch or klogit-fm\+fixmatch$/,
    ],
    [
      ['train', '--data', 'rings', '--method', 'klogit', '--pseudo-threshold', '0.5'],
      2,
      /which klogit does not have: add --pseudo-labels W, or use --method fixmatch or klogit-fm\+fixmatch$/,
    ],
    [
      ['compare', '--data', 'rings', '--methods', 'supervised,gan'],
      2,
      /compare scores classifiers, and the plain GAN \(gan\) has none/,
    ],
    // the photos' default methods include FixMatch's term: the line says how to keep strong
    [
      ['compare', '--data', 'images:/nonexistent', '--augment', 'strong'],
      2,
      / fixmatch already trains on a strongly augmented view: leave strong out, or pick a method without/,
    ],
  ];
  for (const [args, code, message] of cases) {
    it(`${args.join(' ')} → exit ${code}`, () => {
      const r = semigan(...args);
      expect(r.code).toBe(code);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^semigan: error: /);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('an unwritable --out is refused before any training', () => {
    const dir = mkdtempSync(join(tmpdir(), 'semigan-cli-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = semigan('demo', '--out', join(file, 'sub'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^semigan: error: output directory .* is not writable/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("tfjs's Node.js banner never reaches the user, even on the cpu backend that prints it", () => {
    const r = semigan('train', '--data', 'rings', '--steps', '1', '--backend', 'cpu', '--out', tempDir());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/backend cpu/);
    expect(r.stdout + r.stderr).not.toMatch(/TensorFlow\.js in Node|tfjs-node|={10}/);
  });

  it('--help and --version succeed', () => {
    expect(semigan('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = semigan('demo', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--seed/);
    // defaults that depend on the data are spelled out, the photos' recipe included
    const compare = semigan('compare', '--help').stdout.replace(/\s+/g, ' ');
    expect(compare).toMatch(
      /default: supervised,kplus1,klogit-fm; images: supervised,fixmatch,klogit-fm\+fixmatch/,
    );
    expect(compare).toMatch(/default: 100 for 2-D data, 20 for MNIST, 30 for images/);
    const train = semigan('train', '--help').stdout.replace(/\s+/g, ' ');
    expect(train).toMatch(/\(default: klogit-fm; images: fixmatch\)/);
    expect(train).toMatch(/on images 0\.1 for klogit-fm\+fixmatch;/);
    // every method is named with what it is, the naive head and its feature-matching twin apart
    expect(train).toMatch(/Methods: supervised cross-entropy on the labeled examples only/);
    expect(train).toMatch(
      / kplus1 naive K\+1 head as the talk ran it: .* non-saturating generator kplus1-fm /,
    );
    expect(train).toMatch(/ gan plain GAN \(Goodfellow et al\. 2014\)/);
    expect(compare).toMatch(/Methods: supervised .* klogit-fm\+fixmatch klogit-fm with FixMatch's/);
    expect(compare).not.toMatch(/ gan plain GAN/);
  });
});

describe('semigan demo', () => {
  it('writes result.json and one valid boundary PNG per method', () => {
    const out = mkdtempSync(join(tmpdir(), 'semigan-demo-'));
    const r = semigan(
      'demo',
      '--dataset',
      'moons',
      '--out',
      out,
      '--seed',
      '1',
      '--steps',
      '60',
      '--methods',
      'supervised,klogit-fm',
    );
    expect(r.stderr).toMatch(/klogit-fm\s+test accuracy/);
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.dataset).toBe('moons');
    expect(result.labeledPerClass).toBe(4);
    expect(result.labeledSubset.perClass).toEqual({ upper: 4, lower: 4 });
    expect(result.labeledSubset.idsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(result.methods)).toEqual(['supervised', 'klogit-fm']);
    for (const m of ['supervised', 'klogit-fm']) {
      const acc = result.methods[m].testAccuracy;
      // two classes: chance is 0.5; 60 steps on the moons reach 0.85 (supervised) and 0.91 (klogit-fm), seed 1
      expect(acc).toBeGreaterThan(0.75);
      expect(acc).toBeLessThanOrEqual(1);
      const png = PNG.sync.read(readFileSync(join(out, `boundary-${m}.png`)));
      expect([png.width, png.height]).toEqual([560, 640]);
      // the heat map has both class colours: the picture is not blank
      const blueish = png.data.some((_, i) => i % 4 === 0 && png.data[i + 2] > png.data[i] + 60);
      const orangeish = png.data.some((_, i) => i % 4 === 0 && png.data[i] > png.data[i + 2] + 60);
      expect(blueish && orangeish).toBe(true);
    }
    expect(r.stdout).toMatch(/supervised\s+\d+\.\d%/);
    expect(r.stdout).toMatch(/\(the demo took \d+s\)/);
    expect(existsSync(join(out, 'boundary-kplus1.png'))).toBe(false);
  });
});

describe('--config file.json', () => {
  const write = (obj: unknown) => {
    const file = join(mkdtempSync(join(tmpdir(), 'semigan-cfg-')), 'c.json');
    writeFileSync(file, typeof obj === 'string' ? obj : JSON.stringify(obj));
    return file;
  };
  const cases: [unknown, RegExp][] = [
    [{ seed: 1, bogus: 2 }, /unknown key 'bogus' \(allowed: .*seed/],
    [{ seed: 'abc' }, /key 'seed': --seed must be an integer/],
    [{ seed: { deep: 1 } }, /key 'seed' must be a string, number, boolean or list/],
    ['{not json', /not valid JSON/],
    [[1, 2], /the file must be a JSON object/],
  ];
  for (const [content, message] of cases) {
    it(`refuses ${JSON.stringify(content)}`, () => {
      const r = semigan('demo', '--config', write(content));
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }

  it('applies its values, and command-line flags win', () => {
    const out = mkdtempSync(join(tmpdir(), 'semigan-cfg-out-'));
    const file = write({ seed: 2, steps: 20, methods: ['supervised'], out, labels: 6 });
    const r = semigan('demo', '--config', file, '--seed', '5');
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(result.seed).toBe(5);
    expect(result.labeledPerClass).toBe(3);
    expect(Object.keys(result.methods)).toEqual(['supervised']);
  });
});

describe('--labels is a total, spread evenly over the classes', () => {
  it('refuses a count that does not divide by the class count', () => {
    const r = semigan('demo', '--labels', '7');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'semigan: error: --labels 7 cannot be spread evenly over 2 classes; use a multiple of 2, e.g. 6 or 8',
    );
  });
});

describe('--config for every command', () => {
  it('required options may come from the config file; flags override it', () => {
    const dir = tempDir();
    const cfg = join(dir, 'c.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        data: 'rings',
        labels: 6,
        seeds: 1,
        epochs: 1,
        methods: ['supervised'],
        select: ['random'],
        out: join(dir, 'a'),
      }),
    );
    const r = semigan('compare', '--config', cfg, '--out', join(dir, 'b'));
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'b', 'result.json'))).toBe(true);
    expect(existsSync(join(dir, 'a'))).toBe(false);
    const missing = semigan('compare');
    expect(missing.code).toBe(2);
    expect(oneLineError(missing.stderr)).toMatch(/required option '--data <spec>' not specified/);
    writeFileSync(cfg, JSON.stringify({ model: dir, frobnicate: 1 }));
    const unknown = semigan('export', '--config', cfg);
    expect(unknown.code).toBe(2);
    expect(oneLineError(unknown.stderr)).toMatch(/unknown key 'frobnicate'/);
  });
});
