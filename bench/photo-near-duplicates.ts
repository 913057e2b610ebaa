/**
 * Does a test photo have a near copy among the training photos (re-encoded, resized, mirrored)? Exact copies
 * (the same bytes) are dropped at load (src/data/test-overlap.ts); a near copy would let the unlabeled pool
 * carry a test photo into training, which flatters the SSL methods against the supervised one. Each photo at
 * 64 px is reduced to a 16×16 colour thumbnail, centred and scaled to unit length; each test photo (and its
 * mirror image) is compared with every training photo by cosine similarity. A re-encoded or resized copy scores
 * ≥ 0.99 and a slightly cropped one ≥ 0.97 (`copiesOfOnePhotoScore`: one photo against edited copies of itself); the
 * counts above each threshold and the closest pairs are written for inspection. No label is used
 * beyond naming the pairs' folders.
 *
 *   npx tsx bench/photo-near-duplicates.ts   → bench/results/cats-dogs-near-duplicates.json   (≈1 min)
 *
 * Env: CD_DIR.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../src/data/image-decode.js';
import { loadData, parseDataSpec } from '../src/data/spec.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { benchContext } from './machine.js';

const here = import.meta.dirname;
const dataDir = process.env.CD_DIR ?? join(here, '..', '..', 'shared', 'data', 'cats-dogs');
const size = 64;
const side = 16;
const thresholds = [0.99, 0.98, 0.95, 0.9];

/** A photo's 16×16 colour thumbnail (block means), centred and of unit length; mirrored if asked. */
function thumbnail(x: Float32Array, row: number, mirror: boolean): Float64Array {
  const block = size / side;
  const d = new Float64Array(side * side * 3);
  const base = row * size * size * 3;
  for (let y = 0; y < size; y++)
    for (let c0 = 0; c0 < size; c0++) {
      const sx = mirror ? size - 1 - c0 : c0;
      const cell = (Math.floor(y / block) * side + Math.floor(c0 / block)) * 3;
      for (let c = 0; c < 3; c++) d[cell + c] += x[base + (y * size + sx) * 3 + c];
    }
  const mean = d.reduce((a, v) => a + v, 0) / d.length;
  let norm = 0;
  for (let k = 0; k < d.length; k++) norm += (d[k] -= mean) ** 2;
  norm = Math.sqrt(norm) || 1;
  return d.map((v) => v / norm);
}

const t0 = performance.now();
const { train, test } = await loadData(parseDataSpec(`images:${dataDir}?size=${size}`), 1);
const [trainIds, testIds] = [train.ids, test.ids];
if (!trainIds || !testIds) throw new Error('image folders carry ids; these data have none');
const pool = Array.from({ length: train.y.length }, (_, j) => thumbnail(train.x, j, false));
const closest = Array.from({ length: test.y.length }, (_, i) => {
  let best = { similarity: -2, test: testIds[i], train: '', mirrored: false };
  for (const mirrored of [false, true]) {
    const q = thumbnail(test.x, i, mirrored);
    pool.forEach((t, j) => {
      let s = 0;
      for (let k = 0; k < q.length; k++) s += q[k] * t[k];
      if (s > best.similarity) best = { similarity: s, test: testIds[i], train: trainIds[j], mirrored };
    });
  }
  return best;
}).sort((a, b) => b.similarity - a.similarity);

/** What a copy scores: one training photo against edited copies of itself, each decoded as the loader decodes. */
async function calibration(path: string): Promise<Record<string, number>> {
  const pixels = async (img: Buffer) => Float32Array.from(await decodeImage(img, size), (v) => v / 127.5 - 1);
  // the file's own bytes, as the loader reads them (sharp's toBuffer() would re-encode the JPEG)
  const original = thumbnail(await pixels(readFileSync(path)), 0, false);
  const copies: Record<string, Promise<Buffer>> = {
    'JPEG quality 30': sharp(path).jpeg({ quality: 30 }).toBuffer(),
    'resized to 40 px': sharp(path).resize(40, 40).toBuffer(),
    'mirrored and re-encoded': sharp(path).flop().jpeg({ quality: 60 }).toBuffer(),
    '15% brighter': sharp(path).modulate({ brightness: 1.15 }).png().toBuffer(),
    'cropped by 4 px a side': sharp(path)
      .extract({ left: 4, top: 4, width: size - 8, height: size - 8 })
      .toBuffer(),
  };
  const scores: Record<string, number> = {};
  for (const [name, copy] of Object.entries(copies)) {
    const t = thumbnail(await pixels(await copy), 0, name.startsWith('mirrored'));
    scores[name] = Number(original.reduce((a, v, k) => a + v * t[k], 0).toFixed(4));
  }
  return scores;
}

const file = join(here, 'results', 'cats-dogs-near-duplicates.json');
const result = {
  bench: 'photo-near-duplicates',
  dataset: basename(dataDir),
  imageSize: size,
  trainExamples: train.y.length,
  testExamples: test.y.length,
  ...benchContext(),
  method: `cosine similarity of centred ${side}×${side} colour thumbnails, each test photo and its mirror image against every training photo`,
  testPhotosWithACloserTrainingPhoto: Object.fromEntries(
    thresholds.map((t) => [String(t), closest.filter((c) => c.similarity >= t).length]),
  ),
  copiesOfOnePhotoScore: await calibration(join(dataDir, trainIds[0])),
  closestPairs: closest.slice(0, 20).map((c) => ({ ...c, similarity: Number(c.similarity.toFixed(4)) })),
  wallSeconds: Math.round((performance.now() - t0) / 1000),
};
writeFileAtomic(file, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result.testPhotosWithACloserTrainingPhoto), `→ ${file}`);
