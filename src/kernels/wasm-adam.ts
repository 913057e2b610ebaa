import * as tf from '@tensorflow/tfjs';
import { heapView, registerHeapKernel, type WasmBackend } from './wasm-heap.js';

export const ADAM_KERNEL = 'SemiganAdam';

export interface AdamKernelAttrs {
  beta1: number;
  beta2: number;
  /** lr·√(1−β2^t)/(1−β1^t): the bias corrections folded into one factor. */
  stepSize: number;
  /** ε scaled to the uncorrected v (see Adam.apply). */
  epsilon: number;
  epsilonInside: boolean;
}

let installed = false;

/**
 * One Adam update of one variable as a single wasm kernel: param, m and v in, their new values out, in one
 * pass over the heap. Written as tf ops it is eleven kernels per variable, and for small nets (the rings'
 * MLPs, ≈20 variables) tfjs's per-kernel overhead, not arithmetic, is what a step costs.
 */
export function installWasmAdam(): void {
  if (installed || !tf.getKernel('Identity', 'wasm')) return;
  registerHeapKernel(
    ADAM_KERNEL,
    ['param', 'm', 'v', 'grad'],
    ([param, m, v]) => [param!, m!, v!],
    ({ out: [p1, m1, v1], in: [p0, m0, v0, g], attrs }) => {
      const a = attrs as unknown as AdamKernelAttrs;
      adamUpdate(a, p0!, m0!, v0!, g!, p1, m1, v1);
    },
  );
  installed = true;
}

type F32 = Float32Array;

function adamUpdate(a: AdamKernelAttrs, p0: F32, m0: F32, v0: F32, g: F32, p1: F32, m1: F32, v1: F32): void {
  const { beta1, beta2, stepSize, epsilon } = a;
  const [c1, c2] = [1 - beta1, 1 - beta2];
  // two loops rather than a branch per element: this runs over every parameter each step
  if (a.epsilonInside) {
    for (let i = 0; i < p0.length; i++) {
      const gi = g[i];
      const mi = (m1[i] = beta1 * m0[i] + c1 * gi);
      const vi = (v1[i] = beta2 * v0[i] + c2 * gi * gi);
      p1[i] = p0[i] - (stepSize * mi) / Math.sqrt(vi + epsilon);
    }
  } else {
    for (let i = 0; i < p0.length; i++) {
      const gi = g[i];
      const mi = (m1[i] = beta1 * m0[i] + c1 * gi);
      const vi = (v1[i] = beta2 * v0[i] + c2 * gi * gi);
      p1[i] = p0[i] - (stepSize * mi) / (Math.sqrt(vi) + epsilon);
    }
  }
}

/**
 * The same update written over param, m and v where they lie, when nothing else shares their buffers (wasm's
 * Reshape and semigan's Identity share buffers by reference count): no kernel dispatch, no new tensors, no
 * assign. For small nets that bookkeeping is most of an optimizer step. Returns false where it cannot run.
 */
export function adamInPlace(
  param: tf.Variable,
  m: tf.Variable,
  v: tf.Variable,
  grad: tf.Tensor,
  attrs: AdamKernelAttrs,
): boolean {
  if (tf.getBackend() !== 'wasm' || grad.dtype !== 'float32' || param.dtype !== 'float32') return false;
  const b = tf.backend() as unknown as WasmBackend & { refCount(dataId: object): number };
  if ([param, m, v].some((t) => b.refCount(t.dataId) !== 1)) return false;
  const [p, mv, vv, g] = [param, m, v, grad].map((t) => heapView(b, t));
  adamUpdate(attrs, p, mv, vv, g, p, mv, vv);
  return true;
}

/** The fused update when the current backend has it; undefined means: use tf ops. */
export function fusedAdam(
  param: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  grad: tf.Tensor,
  attrs: AdamKernelAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] | undefined {
  if (!installed || tf.getBackend() !== 'wasm' || grad.dtype !== 'float32') return undefined;
  return tf
    .engine()
    .runKernel(ADAM_KERNEL, { param, m, v, grad }, attrs as unknown as tf.NamedAttrMap) as unknown as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}
