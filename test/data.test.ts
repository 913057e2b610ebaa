import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleCount } from '../src/data/dataset.js';
import { LabelOracle } from '../src/data/label-oracle.js';
import { splitDataset } from '../src/data/split.js';
import { parseDataSpec, withImageSize } from '../src/data/spec.js';
import { makeToyDataset, TOY_DATASETS } from '../src/data/toy2d.js';
import { UsageError } from '../src/errors.js';
import { augmentImage } from '../src/train/augment.js';
import { Rng } from '../src/random.js';
import { fillingPrefix } from './helpers.js';
import { sha256, sha256Js } from '../src/util/sha256.js';

describe('Rng', () => {
  it('is reproducible from a seed and resumable from its state', () => {
    const a = new Rng(42);
    const first = Array.from({ length: 5 }, () => a.uniform());
    const again = new Rng(42);
    expect(Array.from({ length: 5 }, () => again.uniform())).toEqual(first);
    a.normal();
    const state = a.getState();
    const next = Array.from({ length: 5 }, () => a.normal());
    const b = new Rng(state);
    expect(Array.from({ length: 5 }, () => b.normal())).toEqual(next);
    expect(new Rng(1).uniform()).not.toBe(new Rng(2).uniform());
    // a state may carry a spare normal (older checkpoints do): it comes out first,
    // then the stream goes on as from the same state without it, and the state round-trips it
    const withSpare = { s: state.s, spare: 0.125 };
    expect(new Rng(withSpare).getState()).toEqual(withSpare);
    const c = new Rng(withSpare);
    expect([c.normal(), c.normal()]).toEqual([0.125, next[0]]);
  });

  it('draws normals with mean 0 and std 1', () => {
    const x = new Rng(3).fillNormal(new Float32Array(20000));
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });
});

describe('sha256', () => {
  it("the browsers' plain-JS digest matches node:crypto on several lengths, strings and bytes", () => {
    for (const s of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'x'.repeat(1000)]) {
      const want = createHash('sha256').update(s).digest('hex');
      expect([sha256Js(s), sha256Js(new TextEncoder().encode(s)), sha256(s)]).toEqual([want, want, want]);
    }
    const floats = new Uint8Array(Float32Array.from({ length: 333 }, (_, i) => Math.sin(i)).buffer);
    expect(sha256Js(floats)).toBe(createHash('sha256').update(floats).digest('hex'));
  });
});

describe('toy datasets', () => {
  it('rings: two classes at radius ≈1 and ≈2, seeded', () => {
    const d = makeToyDataset('rings', { perClass: 300, seed: 5 });
    expect(exampleCount(d)).toBe(600);
    const radius = (i: number) => Math.hypot(d.x[2 * i], d.x[2 * i + 1]);
    const mean = (c: number) => {
      const r = [...d.y.keys()].filter((i) => d.y[i] === c).map(radius);
      return r.reduce((a, b) => a + b) / r.length;
    };
    expect(mean(0)).toBeCloseTo(1, 1);
    expect(mean(1)).toBeCloseTo(2, 1);
    expect(makeToyDataset('rings', { perClass: 300, seed: 5 }).x).toEqual(d.x);
  });

  it('every toy dataset is finite and balanced', () => {
    for (const name of TOY_DATASETS) {
      const d = makeToyDataset(name, { perClass: 50, seed: 1 });
      expect(d.x.every(Number.isFinite)).toBe(true);
      expect(d.y.filter((c) => c === 0).length).toBe(50);
    }
  });
});

describe('splitDataset', () => {
  const d = makeToyDataset('rings', { perClass: 200, seed: 9 });

  it('draws balanced labeled and validation sets and records them', () => {
    const s = splitDataset(d, { labeledPerClass: 4, validationPerClass: 10, seed: 1 });
    expect(s.labeled.y.length).toBe(8);
    expect(s.record.perClass).toEqual({ inner: 4, outer: 4 });
    expect(s.record.count).toBe(8);
    expect(s.validation.y.length).toBe(20);
    // validation is held out of everything else; labeled examples stay in the unlabeled pool (Improved GAN)
    const val = new Set(s.validation.ids);
    expect(s.unlabeled.ids.some((id) => val.has(id))).toBe(false);
    expect(s.unlabeled.ids.length).toBe(400 - 20);
    expect(s.labeled.ids.every((id) => s.unlabeled.ids.includes(id))).toBe(true);
    expect(s.record.idsSha256).toBe(sha256([...s.labeled.ids].sort().join('\n')));
    // the labeled features are the rows the ids name
    const row = Number(s.labeled.ids[0]);
    expect(Array.from(s.labeled.x.subarray(0, 2))).toEqual(Array.from(d.x.subarray(2 * row, 2 * row + 2)));
    expect(s.labeled.y[0]).toBe(d.y[row]);
  });

  it('is reproducible per seed and differs across seeds', () => {
    const a = splitDataset(d, { labeledPerClass: 4, seed: 1 }).record.idsSha256;
    expect(splitDataset(d, { labeledPerClass: 4, seed: 1 }).record.idsSha256).toBe(a);
    expect(splitDataset(d, { labeledPerClass: 4, seed: 2 }).record.idsSha256).not.toBe(a);
  });

  it('reads labels only until each class is filled', () => {
    const oracle = new LabelOracle(d.y);
    const s = splitDataset(d, { labeledPerClass: 2, seed: 3 }, oracle);
    const reads = oracle.readIndices();
    expect(s.labeled.ids.every((id) => reads.includes(Number(id)))).toBe(true);
    // exactly the seeded order's shortest prefix that holds 2 of each class: not one read past it
    expect(reads).toEqual(fillingPrefix(new Rng(3).permutation(d.y.length), d.y, 2));
  });

  it('can exclude labeled examples from the unlabeled pool', () => {
    const s = splitDataset(d, { labeledPerClass: 4, seed: 1, unlabeledIncludesLabeled: false });
    expect(s.unlabeled.ids.length).toBe(392);
  });

  it('refuses impossible requests with a usage error', () => {
    expect(() => splitDataset(d, { labeledPerClass: 201, seed: 1 })).toThrow(UsageError);
    expect(() => splitDataset(d, { labeledPerClass: 201, seed: 1 })).toThrow(
      /class 'inner' has 200 examples but 201 are needed \(201 labeled\): ask for fewer \(--labels\)$/,
    );
    expect(() => splitDataset(d, { labeledPerClass: 0, seed: 1 })).toThrow(UsageError);
    expect(() => splitDataset(d, { labeledPerClass: 150, validationPerClass: 60, seed: 1 })).toThrow(
      UsageError,
    );
  });
});

describe('augmentImage', () => {
  const shape = [9, 9, 1];
  // a 3×3 bright square left of centre, so a shift, a turn or a flip each moves it somewhere else
  const img = new Float32Array(81);
  for (let y = 3; y < 6; y++) for (let x = 1; x < 4; x++) img[y * 9 + x] = 1;
  const out = (opts: Parameters<typeof augmentImage>[3], seed: number) => {
    const dst = new Float32Array(81);
    augmentImage(img, dst, shape, opts, new Rng(seed));
    return dst;
  };

  it('a warp with no turn and no rescale is the integer shift (same draws, same pixels)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const shifted = out({ flip: true, translate: 2 }, seed);
      const warped = out({ flip: true, translate: 2, rotate: 1e-7, scale: 1e-7 }, seed);
      for (let i = 0; i < 81; i++) expect(warped[i]).toBeCloseTo(shifted[i]!, 5);
    }
  });

  it('a turn keeps the centre where it is, keeps most of the mass, and moves the square', () => {
    const centred = new Float32Array(81);
    centred[40] = 1;
    let moved = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const dst = new Float32Array(81);
      augmentImage(centred, dst, shape, { flip: false, translate: 0, rotate: 30 }, new Rng(seed));
      expect(dst[40]).toBe(1);
      const turned = out({ flip: false, translate: 0, rotate: 30 }, seed);
      const mass = turned.reduce((a, b) => a + b, 0);
      expect(mass).toBeGreaterThan(6.5);
      expect(mass).toBeLessThan(11.5);
      moved += turned.reduce((a, v, i) => a + Math.abs(v - img[i]!), 0);
    }
    expect(moved / 20).toBeGreaterThan(0.5);
  });

  it('a larger scale grows the digit, a smaller one shrinks it', () => {
    const mass = (a: Float32Array) => a.reduce((x, y) => x + y, 0);
    const masses = Array.from({ length: 20 }, (_, seed) =>
      mass(out({ flip: false, translate: 0, scale: 0.4 }, seed)),
    );
    expect(Math.max(...masses)).toBeGreaterThan(11);
    expect(Math.min(...masses)).toBeLessThan(7);
  });
});

describe('data specs as a user types them', () => {
  it('expand ~/ (the shell does not, after images:) and name --image-size in its own error', () => {
    const home = homedir();
    expect(parseDataSpec('images:~/photos')).toMatchObject({ dir: join(home, 'photos') });
    expect(parseDataSpec('images:~/a?unlabeled=~/b')).toMatchObject({
      dir: join(home, 'a'),
      unlabeled: join(home, 'b'),
    });
    expect(parseDataSpec('mnist:~/mnist')).toEqual({ kind: 'mnist', dir: join(home, 'mnist') });
    expect(parseDataSpec('images:/x~/y')).toMatchObject({ dir: '/x~/y' });
    const spec = parseDataSpec('images:/p');
    expect(withImageSize(spec, 32)).toMatchObject({ dir: '/p', size: 32 });
    expect(() => withImageSize(spec, 48)).toThrow(/^--image-size must be one of 8, 16, .*, got 48$/);
  });
});
