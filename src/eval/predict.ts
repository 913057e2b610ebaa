import * as tf from '@tensorflow/tfjs';
import type { Discriminator } from '../nets/net.js';
import type { Objective } from '../objectives/objective.js';

/**
 * Class probabilities for a flat batch of examples, computed in chunks to bound memory: at most 2048 rows,
 * fewer for large inputs, since every layer's output stays alive until the chunk's tidy ends and the wasm
 * heap holds 4 GiB (2048 photos at 64 px through a full-resolution 24-channel stem alone take 0.8 GB).
 */
export function predictProbabilities(
  d: Discriminator,
  objective: Objective,
  x: Float32Array,
  maxChunk = 2048,
): { probs: Float32Array; numClasses: number } {
  const rowSize = d.inputShape.reduce((a, b) => a * b, 1);
  const chunk = Math.max(1, Math.min(maxChunk, Math.floor(4_000_000 / rowSize)));
  const n = x.length / rowSize;
  const parts: Float32Array[] = [];
  let numClasses = 0;
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const p = tf.tidy(() => {
      const xb = tf.tensor(x.subarray(start * rowSize, (start + m) * rowSize), [m, ...d.inputShape]);
      return tf.softmax(objective.classLogits(d.forward(xb).logits));
    });
    numClasses = p.shape[1]!;
    parts.push(p.dataSync() as Float32Array);
    p.dispose();
  }
  const probs = new Float32Array(n * numClasses);
  let off = 0;
  for (const part of parts) {
    probs.set(part, off);
    off += part.length;
  }
  return { probs, numClasses };
}

export function argmaxRows(probs: Float32Array, numClasses: number): Int32Array {
  const n = probs.length / numClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++)
      if (probs[i * numClasses + c] > probs[i * numClasses + best]) best = c;
    out[i] = best;
  }
  return out;
}

export function accuracy(pred: Int32Array, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return y.length ? ok / y.length : 0;
}

/** Rows: true class; columns: predicted class. */
export function confusionMatrix(pred: Int32Array, y: Int32Array, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < y.length; i++) m[y[i]][pred[i]]++;
  return m;
}
