import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';

export const BIN = join(import.meta.dirname, '..', 'bin', 'semigan.js');
export const SHARED_MNIST = join(import.meta.dirname, '..', '..', 'shared', 'data', 'mnist');

export function semigan(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function semiganAsync(...args: string[]) {
  return spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' } });
}

/** `semigan train --data rings …` with extra environment (fault injection), as spawnSync returns it. */
export function trainRings(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, 'train', '--data', 'rings', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
  });
}

/** A run directory's metrics.json, as written. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const runMetrics = (dir: string): any => JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));

/** A run directory's checkpoint bytes (to compare two runs bit for bit). */
export const ckpt = (dir: string) => readFileSync(join(dir, 'checkpoint.bin'));

/** A finished rings run: seed 3, 40 steps (4 epochs of 10), klogit-fm. */
export function ringsRun(dir: string, ...extra: string[]) {
  const r = semigan('train', '--data', 'rings', '--steps', '40', '--seed', '3', '--out', dir, ...extra);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

export function tempDir(prefix = 'semigan-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Expects the one-line error form: `semigan: error: …`, no stack trace. */
export function oneLineError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  if (lines.length !== 1 || !lines[0].startsWith('semigan: error: ') || /\n\s+at /.test(stderr)) {
    throw new Error(`expected one error line, got:\n${stderr}`);
  }
  return lines[0];
}

/** A tiny valid IDX pair (n images of h×w, labels cycling 0–9). */
export function idxFiles(n: number, h = 28, w = 28): { images: Buffer; labels: Buffer } {
  const images = Buffer.alloc(16 + n * h * w);
  images.writeUInt32BE(0x00000803, 0);
  images.writeUInt32BE(n, 4);
  images.writeUInt32BE(h, 8);
  images.writeUInt32BE(w, 12);
  for (let i = 16; i < images.length; i++) images[i] = (i * 37) % 256;
  const labels = Buffer.alloc(8 + n);
  labels.writeUInt32BE(0x00000801, 0);
  labels.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i++) labels[8 + i] = i % 10;
  return { images, labels };
}

export { gzipSync };

/** The shortest prefix of `order` that holds `per` examples of every class, sorted: what a draw must read. */
export function fillingPrefix(order: ArrayLike<number>, y: ArrayLike<number>, per: number): number[] {
  const k = Math.max(...Array.from(y)) + 1;
  const seen = new Array<number>(k).fill(0);
  const prefix: number[] = [];
  for (let j = 0; j < order.length && seen.some((c) => c < per); j++) {
    prefix.push(order[j]);
    seen[y[order[j]]]++;
  }
  return prefix.sort((a, b) => a - b);
}

/** A 2-D canvas context that records the text drawn and counts strokes; every other call does nothing. */
export function recordingContext(): {
  ctx: Record<string | symbol, unknown>;
  texts: string[];
  strokes: () => number;
} {
  const texts: string[] = [];
  let strokes = 0;
  const ctx = new Proxy({} as Record<string | symbol, unknown>, {
    get: (target, key) =>
      key in target
        ? target[key]
        : key === 'fillText'
          ? (t: string) => texts.push(t)
          : key === 'stroke'
            ? () => strokes++
            : () => {},
    set: (target, key, v) => ((target[key] = v), true),
  });
  return { ctx, texts, strokes: () => strokes };
}
