import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../src/random.js';
import { tempDir } from './helpers.js';

/** A class folder of small synthetic photos: class 0 dark-left, class 1 dark-right, plus noise. */
export async function makeImages(root: string, perClass: number, classes = ['cat', 'dog']): Promise<void> {
  const rng = new Rng(5);
  for (const [k, c] of classes.entries()) {
    mkdirSync(join(root, c), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const px = Buffer.alloc(20 * 20 * 3);
      for (let y = 0; y < 20; y++)
        for (let x = 0; x < 20; x++)
          for (let ch = 0; ch < 3; ch++) {
            const dark = k === 0 ? x < 10 : x >= 10;
            px[(y * 20 + x) * 3 + ch] = Math.max(
              0,
              Math.min(255, (dark ? 40 : 200) + Math.round(rng.normal() * 20)),
            );
          }
      const ext = i % 3 === 0 ? 'png' : i % 3 === 1 ? 'jpg' : 'webp';
      await sharp(px, { raw: { width: 20, height: 20, channels: 3 } }).toFile(
        join(root, c, `${c}${i}.${ext}`),
      );
    }
  }
}

/**
 * 30 photos per class (the two synthetic classes above) plus two unreadable files, and an empty decode cache:
 * the folder most image tests share. Built once per test file (beforeAll); deterministic.
 */
export async function photoFolder(): Promise<{ root: string; cache: string }> {
  const root = join(tempDir(), 'photos');
  const cache = tempDir('semigan-cache-');
  await makeImages(root, 30);
  writeFileSync(join(root, 'cat', 'broken.jpg'), 'not a jpeg at all');
  writeFileSync(
    join(root, 'dog', 'truncated.png'),
    readFileSync(join(root, 'dog', 'dog0.png')).subarray(0, 60),
  );
  return { root, cache };
}
