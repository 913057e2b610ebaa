import { describe, expect, it } from 'vitest';
import type { Dataset } from '../src/data/dataset.js';
import { LabelOracle } from '../src/data/label-oracle.js';
import { learnedFeatures } from '../src/data/learned-features.js';
import { selectLabels, usesLearnedFeatures } from '../src/data/select-labels.js';
import { rankByTypicality, selectTypical } from '../src/data/typical-selection.js';
import { Rng } from '../src/random.js';
import { checkLabelLeak } from './label-leak.js';

/** Three 2-D blobs of 40 points and, last, one point far from all of them. */
function blobsWithOutlier(seed: number): { z: Float64Array; blob: number[]; outlier: number } {
  const rng = new Rng(seed);
  const centres = [
    [0, 0],
    [10, 0],
    [0, 10],
  ];
  const z: number[] = [];
  const blob: number[] = [];
  centres.forEach(([cx, cy], b) => {
    for (let i = 0; i < 40; i++) {
      z.push(cx + rng.normal(), cy + rng.normal());
      blob.push(b);
    }
  });
  z.push(40, 40);
  blob.push(-1);
  return { z: Float64Array.from(z), blob, outlier: blob.length - 1 };
}

/**
 * 8×8 colour images in two modes (a bright band at the top or at the bottom, over noise) and, last, one
 * planted outlier: a saturated checkerboard unlike either mode.
 */
function photos(perMode: number, seed: number): Dataset & { outlier: number } {
  const rng = new Rng(seed);
  const size = 8 * 8 * 3;
  const n = 2 * perMode + 1;
  const x = new Float32Array(n * size);
  const y = new Int32Array(n);
  for (let i = 0; i < n - 1; i++) {
    y[i] = i % 2;
    const img = x.subarray(i * size, (i + 1) * size);
    rng.fillNormal(img, 0.2);
    for (let r = 0; r < 3; r++) {
      const row = y[i] === 0 ? r : 7 - r;
      for (let j = 0; j < 8 * 3; j++) img[row * 24 + j] += 0.8;
    }
  }
  const odd = x.subarray((n - 1) * size);
  for (let p = 0; p < 64; p++) odd.fill((p + Math.floor(p / 8)) % 2 ? 1 : -1, p * 3, p * 3 + 3);
  return { name: 'photos', featureShape: [8, 8, 3], x, y, classNames: ['top', 'bottom'], outlier: n - 1 };
}

describe('typical selection (TypiClust)', () => {
  it('ranks the middle of a blob above its edge', () => {
    const { z } = blobsWithOutlier(1);
    const rows = [...Array(40).keys()];
    const ranked = rankByTypicality(z, 2, rows, 20);
    const radius = (i: number) => Math.hypot(z[2 * i], z[2 * i + 1]);
    // the most typical member is nearer the blob's centre than the least typical one
    expect(radius(ranked[0])).toBeLessThan(radius(ranked.at(-1)!));
    expect(radius(ranked[0])).toBeLessThan(1);
  });

  it('never picks a planted outlier, covers every blob and is deterministic', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { z, blob, outlier } = blobsWithOutlier(seed);
      // 4 clusters for 3 blobs: k-means++ tends to give the outlier a cluster of its own, which is passed over
      const picks = selectTypical(z, 2, 4, new Rng(seed));
      expect(picks).toHaveLength(4);
      expect(new Set(picks).size).toBe(4);
      expect(picks, `seed ${seed}`).not.toContain(outlier);
      expect(new Set(picks.map((i) => blob[i])).size).toBe(3);
      expect(selectTypical(z, 2, 4, new Rng(seed))).toEqual(picks);
    }
  });
});

describe.each(['contrastive', 'gan'] as const)(
  'representative selection on colour photos: %s features, no label read',
  (learner) => {
    const d = photos(20, 3);
    const budget = { learner, steps: 6, maxSide: 8, batchSize: 16, maxEpochs: 3 };

    it('uses features learnt without labels, deterministically', async () => {
      expect(usesLearnedFeatures(d)).toBe(true);
      const a = await learnedFeatures(d, 5, budget);
      const b = await learnedFeatures(d, 5, budget);
      expect(a.dim).toBe(128);
      expect(Array.from(b.z)).toEqual(Array.from(a.z));
      // unit-length rows
      const norm = Math.hypot(...a.z.subarray(0, a.dim));
      expect(norm).toBeCloseTo(1, 4);
      expect(Array.from((await learnedFeatures(d, 6, budget)).z)).not.toEqual(Array.from(a.z));
    });

    it('same seed, same picks; one of each mode; the outlier never; the oracle never asked', async () => {
      for (const seed of [1, 2, 3]) {
        const oracle = new LabelOracle(d.y);
        const picks = await selectLabels(d, 4, 'representative', seed, oracle, '--n', {
          featureBudget: budget,
        });
        expect(oracle.readIndices()).toEqual([]);
        expect(picks).not.toContain(d.outlier);
        expect(new Set(picks.map((i) => d.y[i])).size, `seed ${seed}`).toBe(2);
        expect(
          await selectLabels(d, 4, 'representative', seed, new LabelOracle(d.y), '--n', {
            featureBudget: budget,
          }),
        ).toEqual(picks);
      }
      // every label poisoned: the same picks, bit for bit
      const pipeline = async (data: Dataset) =>
        JSON.stringify(
          await selectLabels(data, 4, 'representative', 1, new LabelOracle(data.y), '--n', {
            featureBudget: budget,
          }),
        );
      expect((await checkLabelLeak(d, [], pipeline)).leaks).toBe(false);
    });
  },
);

describe('the label-free feature learners', () => {
  it('each learns its own features: the learner is not ignored', async () => {
    const d = photos(20, 3);
    const budget = { steps: 6, maxSide: 8, batchSize: 16, maxEpochs: 3 };
    const simclr = await learnedFeatures(d, 5, { ...budget, learner: 'contrastive' });
    const gan = await learnedFeatures(d, 5, { ...budget, learner: 'gan' });
    expect(simclr.dim).toBe(gan.dim);
    expect(Array.from(simclr.z)).not.toEqual(Array.from(gan.z));
  });
});
