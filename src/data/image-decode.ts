import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';

/** What decoding needs from the folder loaders' options. */
export interface DecodeOptions {
  /** Where decoded photos are cached; default $SEMIGAN_CACHE or ~/.cache/semigan. */
  cacheDir?: string;
  /** Called once per skipped file and with progress while decoding. */
  onWarning?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
}

/** Decoded pixels of a list of files, size·size·3 bytes each, and which of them decoded. */
export interface Decoded {
  pixels: Uint8Array;
  ok: Uint8Array;
}

function cacheRoot(opts: DecodeOptions): string {
  return opts.cacheDir ?? imageCacheDir();
}

/** Where decoded photos are cached unless a caller names a folder: $SEMIGAN_CACHE or ~/.cache/semigan. */
export function imageCacheDir(): string {
  return process.env.SEMIGAN_CACHE ?? join(homedir(), '.cache', 'semigan');
}

/** Cache key: the root, the size and every file's path, byte size and mtime. */
function cacheKey(root: string, size: number, files: string[]): string {
  const h = createHash('sha256').update(`semigan-images-v1\n${root}\n${size}\n`);
  for (const f of files) {
    const st = statSync(join(root, f));
    h.update(`${f}\t${st.size}\t${st.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * One image as the loader sees it: upright (EXIF), cropped to fill a size×size square, sRGB, no alpha, as
 * size·size·3 bytes. Exported so checks on the data (near-copy search) read photos exactly as training does.
 */
export async function decodeImage(input: string | Buffer, size: number): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const buf = await sharp(input, { failOn: 'error' })
    .rotate()
    .resize(size, size, { fit: 'cover', kernel: 'lanczos3' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer();
  const per = size * size * 3;
  if (buf.length !== per) throw new Error(`decoded ${buf.length} bytes, expected ${per}`);
  return buf;
}

async function decodeAll(root: string, files: string[], size: number, opts: DecodeOptions): Promise<Decoded> {
  const { default: sharp } = await import('sharp');
  sharp.cache(false);
  const per = size * size * 3;
  const pixels = new Uint8Array(files.length * per);
  const ok = new Uint8Array(files.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      try {
        pixels.set(await decodeImage(join(root, files[i]), size), i * per);
        ok[i] = 1;
      } catch (e) {
        opts.onWarning?.(`skipping unreadable image ${files[i]}: ${(e as Error).message.split('\n')[0]}`);
      }
      opts.onProgress?.(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { pixels, ok };
}

/** Decodes `files` (relative to root), or reads them from the on-disk cache when nothing changed. */
export async function decodeCached(
  root: string,
  files: string[],
  size: number,
  opts: DecodeOptions,
): Promise<{ decoded: Decoded; cached: boolean }> {
  const cacheDir = cacheRoot(opts);
  const cachePath = join(cacheDir, `images-${cacheKey(root, size, files)}.bin`);
  const hit = readCache(cachePath, files.length, size * size * 3);
  if (hit) return { decoded: hit, cached: true };
  const decoded = await decodeAll(root, files, size, opts);
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileAtomic(cachePath, Buffer.concat([decoded.ok, decoded.pixels]));
  } catch (e) {
    opts.onWarning?.(`could not write the image cache in ${cacheDir}: ${(e as Error).message}`);
  }
  return { decoded, cached: false };
}

function readCache(path: string, n: number, per: number): Decoded | null {
  try {
    const buf = readFileSync(path);
    if (buf.length !== n + n * per) return null;
    return { ok: new Uint8Array(buf.subarray(0, n)), pixels: new Uint8Array(buf.subarray(n)) };
  } catch {
    return null;
  }
}

/** The chosen decoded images as floats in [−1, 1], the range of the DCGAN generator's tanh. */
export function pixelRows(d: Decoded, rows: number[], per: number): Float32Array {
  const x = new Float32Array(rows.length * per);
  rows.forEach((r, i) => {
    const src = d.pixels.subarray(r * per, (r + 1) * per);
    for (let j = 0; j < per; j++) x[i * per + j] = src[j] / 127.5 - 1;
  });
  return x;
}
