import * as tf from '@tensorflow/tfjs';
import type { BatchNormFns } from '../native/openblas.js';
import { registerHeapKernel } from './wasm-heap.js';

const FORWARD = 'SemiganBatchNorm';
const BACKWARD = 'SemiganBatchNormGrad';

let installed = false;
let native: BatchNormFns | undefined;
const NONE = new Float32Array(0);

/** Node with the addon: the same kernels in C++ (≈5× faster than the loops below; they stay for browsers). */
export function setNativeBatchNorm(fns: BatchNormFns | undefined): void {
  native = fns;
}

/**
 * Batch normalisation over every axis but the last (batch statistics), forward and backward, as two wasm
 * kernels that each make two passes over the heap. As tf ops it is ≈10 kernels forward and ≈20 backward, and
 * wasm's reductions over [0, 1, 2] of an NHWC tensor are slow (Mean 3.7 ms, Sum 4 ms on [64, 32, 32, 16]):
 * batch norm was a fifth of the DCGAN generator's step.
 */
export function installWasmBatchNorm(): void {
  if (installed || !tf.getKernel('Identity', 'wasm')) return;
  // outputs: the input's shape, and two of its channels' (mean and 1/σ, which the backward pass reads)
  const outShapes = (x: number[]) => [x, [x[x.length - 1]], [x[x.length - 1]]];
  registerHeapKernel(FORWARD, ['x', 'gamma', 'beta'], ([x]) => outShapes(x!), batchNormForward);
  registerHeapKernel(
    BACKWARD,
    ['dy', 'y', 'x', 'mean', 'inv', 'gamma'],
    ([, , x]) => outShapes(x!),
    batchNormBackward,
  );
  installed = true;
}

type HeapKernel = Parameters<typeof registerHeapKernel>[3];

/** y = act(γ·(x − μ)/σ + β) over rows of channels, with μ and 1/σ kept for the backward pass. */
const batchNormForward: HeapKernel = ({ out: [y, mean, inv], in: [x, gv, beta], attrs }) => {
  const [xv, bv] = [x!, beta!];
  const c = mean.length;
  const { epsilon: eps, alpha } = attrs as unknown as BnAttrs;
  if (native) {
    native.batchNorm(c, eps, alpha, xv, gv ?? NONE, bv, y, mean, inv);
    return;
  }
  const rows = xv.length / c;
  // float64 sums: one pass of float32 sums over 65 536 rows loses digits the cpu backend keeps
  const s = new Float64Array(c);
  const sq = new Float64Array(c);
  for (let i = 0; i < xv.length; i += c) {
    for (let j = 0; j < c; j++) s[j] += xv[i + j];
  }
  for (let j = 0; j < c; j++) mean[j] = s[j] / rows;
  for (let i = 0; i < xv.length; i += c) {
    for (let j = 0; j < c; j++) {
      const d = xv[i + j] - mean[j];
      sq[j] += d * d;
    }
  }
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    inv[j] = 1 / Math.sqrt(sq[j] / rows + eps);
    scale[j] = (gv ? gv[j] : 1) * inv[j];
    shift[j] = bv[j] - mean[j] * scale[j];
  }
  for (let i = 0; i < xv.length; i += c) {
    for (let j = 0; j < c; j++) {
      const p = xv[i + j] * scale[j] + shift[j];
      y[i + j] = p > 0 ? p : alpha * p;
    }
  }
};

/** dx, dγ and dβ, through the activation first (from its output y). */
const batchNormBackward: HeapKernel = ({
  out: [dx, dgamma, dbeta],
  in: [dyIn, yIn, xIn, mIn, iIn, gv],
  attrs,
}) => {
  const [dyRaw, yv, xv, mv, iv] = [dyIn!, yIn!, xIn!, mIn!, iIn!];
  const c = dgamma.length;
  const { alpha } = attrs as unknown as BnAttrs;
  if (native) {
    native.batchNormGrad(c, alpha, dyRaw, yv, xv, mv, iv, gv ?? NONE, dx, dgamma, dbeta);
    return;
  }
  // through the activation first, from its output
  const dyv = alpha === 1 ? dyRaw : dyRaw.map((d, i) => (yv[i] > 0 ? d : alpha * d));
  const rows = xv.length / c;
  // dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·inv·(dy − dβ/M − x̂·dγ/M)
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c);
  for (let i = 0; i < xv.length; i += c) {
    for (let j = 0; j < c; j++) {
      const g = dyv[i + j];
      sdy[j] += g;
      sdyx[j] += g * (xv[i + j] - mv[j]) * iv[j];
    }
  }
  const k = new Float32Array(c);
  const a = new Float32Array(c);
  const cst = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    dbeta[j] = sdy[j];
    dgamma[j] = sdyx[j];
    k[j] = (gv ? gv[j] : 1) * iv[j];
    // dx = k·dy − k·(dβ/M) − k·(x − μ)·inv·dγ/M = k·dy + a·x + cst
    a[j] = (-k[j] * iv[j] * sdyx[j]) / rows;
    cst[j] = (-k[j] * sdy[j]) / rows - a[j] * mv[j];
  }
  for (let i = 0; i < xv.length; i += c) {
    for (let j = 0; j < c; j++) dx[i + j] = k[j] * dyv[i + j] + a[j] * xv[i + j] + cst[j];
  }
};

type Grad = Parameters<typeof tf.customGrad>[0];

/** ε of the normalisation; α of the leaky ReLU applied after it (1: none, 0: ReLU). */
interface BnAttrs {
  epsilon: number;
  alpha: number;
}

type BnFn = (...t: tf.Tensor[]) => tf.Tensor;
const fns = new Map<string, BnFn>();
// the batch statistics of the last fused call when asked for, for layers that keep running averages: kept
// copies (the kernel's own outputs are freed with the custom gradient's scope), the asker disposes them
let wantStats = false;
let lastStats: { mean: tf.Tensor; inv: tf.Tensor } | undefined;

function make(attrs: BnAttrs, scale: boolean): BnFn {
  const named = attrs as unknown as tf.NamedAttrMap;
  const run = (name: string, inputs: tf.NamedTensorMap) =>
    tf.engine().runKernel(name, inputs, named) as unknown as tf.Tensor[];
  return tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, g, b] = (scale ? args : [args[0], undefined, args[1]]) as (tf.Tensor | undefined)[];
    const [y, mean, inv] = run(FORWARD, g ? { x: x!, gamma: g, beta: b! } : { x: x!, beta: b! });
    if (wantStats) lastStats = { mean: tf.keep(tf.clone(mean)), inv: tf.keep(tf.clone(inv)) };
    save(g ? [x!, y, mean, inv, g] : [x!, y, mean, inv]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [sx, sy, sm, si, sg]: tf.Tensor[]) => {
        const base = { dy, y: sy, x: sx, mean: sm, inv: si };
        const [dx, dgamma, dbeta] = run(BACKWARD, sg ? { ...base, gamma: sg } : base);
        return scale ? [dx, dgamma, dbeta] : [dx, dbeta];
      },
    };
  }) as unknown as Grad) as BnFn;
}

/**
 * max(p, αp) of p = γ·(x − μ)/√(σ² + ε) + β, batch statistics over every axis but the last (α = 1: no
 * activation), when the current backend has the fused kernels; undefined means: use tf ops. Same values and
 * gradients as the op form.
 */
export function fusedBatchNorm<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor | undefined,
  beta: tf.Tensor,
  epsilon: number,
  alpha = 1,
): T | undefined {
  if (!installed || tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return undefined;
  const key = `${epsilon}/${alpha}/${gamma ? 'scale' : 'plain'}`;
  let f = fns.get(key);
  if (!f) fns.set(key, (f = make({ epsilon, alpha }, !!gamma)));
  return (gamma ? f(x, gamma, beta) : f(x, beta)) as T;
}

/**
 * fusedBatchNorm, also returning the batch mean and 1/√(σ² + ε) per channel that the kernel computed (for
 * running averages). They carry no gradient, and the caller disposes them.
 */
export function fusedBatchNormWithStats<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor | undefined,
  beta: tf.Tensor,
  epsilon: number,
  alpha = 1,
): { y: T; mean: tf.Tensor1D; inv: tf.Tensor1D } | undefined {
  lastStats = undefined;
  wantStats = true;
  let y: T | undefined;
  try {
    y = fusedBatchNorm(x, gamma, beta, epsilon, alpha);
  } finally {
    wantStats = false;
  }
  const stats = lastStats as { mean: tf.Tensor; inv: tf.Tensor } | undefined;
  lastStats = undefined;
  if (!y || !stats) return undefined;
  return { y, mean: stats.mean as tf.Tensor1D, inv: stats.inv as tf.Tensor1D };
}
