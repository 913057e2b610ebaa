import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random.js';
import { exampleCount, featureSize } from './dataset.js';
import type { LabelFreePool } from './select-labels.js';

/** Features for clustering without learning: images average-pooled to at most 16×16, then PCA to ≤ 32 dimensions. */
export function pixelEmbedding(d: LabelFreePool, rng: Rng, dims = 32): { z: Float64Array; dim: number } {
  const pooled = poolTo16(d);
  const D = pooled.dim;
  if (D <= dims) return { z: Float64Array.from(pooled.x), dim: D };
  const m = dims;
  const n = exampleCount(d);
  const z = tf.tidy(() => {
    const x = tf.tensor2d(pooled.x, [n, D]);
    const xc = tf.sub(x, tf.mean(x, 0));
    // subspace iteration on the covariance as Xᵀ(X q): the D×D matrix is never formed
    const q = Float32Array.from({ length: D * m }, () => rng.normal());
    orthonormalize(q, D, m);
    for (let it = 0; it < 12; it++) {
      const next = tf.tidy(() => tf.matMul(xc, tf.matMul(xc, tf.tensor2d(q, [D, m])), true, false));
      q.set(next.dataSync());
      next.dispose();
      orthonormalize(q, D, m);
    }
    return tf.matMul(xc, tf.tensor2d(q, [D, m]));
  });
  const values = Float64Array.from(z.dataSync());
  z.dispose();
  return { z: values, dim: m };
}

function poolTo16(d: LabelFreePool): { x: Float32Array; dim: number } {
  if (d.featureShape.length !== 3) return { x: d.x, dim: featureSize(d.featureShape) };
  const pooled = averagePoolImages(d.x, d.featureShape, 16);
  return { x: pooled.x, dim: featureSize(pooled.shape) };
}

/**
 * Images (rows of shape [h, w, c]) average-pooled by the smallest integer factor that brings the longer side
 * to at most `maxSide`; a block cut short by the edge averages the pixels it has.
 */
export function averagePoolImages(
  x: Float32Array,
  shape: number[],
  maxSide: number,
): { x: Float32Array; shape: number[] } {
  const [h, w, c] = shape;
  const f = Math.max(1, Math.ceil(Math.max(h, w) / maxSide));
  if (f === 1) return { x, shape };
  const ph = Math.ceil(h / f);
  const pw = Math.ceil(w / f);
  const dim = ph * pw * c;
  const size = h * w * c;
  const n = x.length / size;
  const out = new Float32Array(n * dim);
  const count = new Float32Array(ph * pw);
  for (let y = 0; y < h; y++) for (let u = 0; u < w; u++) count[Math.floor(y / f) * pw + Math.floor(u / f)]++;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      for (let u = 0; u < w; u++) {
        const cell = Math.floor(y / f) * pw + Math.floor(u / f);
        for (let k = 0; k < c; k++)
          out[i * dim + cell * c + k] += x[i * size + (y * w + u) * c + k] / count[cell];
      }
    }
  }
  return { x: out, shape: [ph, pw, c] };
}

/** Modified Gram–Schmidt on the m columns of a D×m row-major matrix. */
function orthonormalize(q: Float32Array, D: number, m: number): void {
  for (let c = 0; c < m; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let j = 0; j < D; j++) dot += q[j * m + c] * q[j * m + p];
      for (let j = 0; j < D; j++) q[j * m + c] -= dot * q[j * m + p];
    }
    let norm = 0;
    for (let j = 0; j < D; j++) norm += q[j * m + c] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < D; j++) q[j * m + c] /= norm;
  }
}
