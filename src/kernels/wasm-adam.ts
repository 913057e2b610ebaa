import * as tf from '@tensorflow/tfjs';
import { registerHeapKernel } from './wasm-heap.js';

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

/** adam(β1, β2, stepSize, ε, εInside (0/1), p0, m0, v0, g, p1, m1, v1) in the addon: the same bits, threaded. */
export type NativeAdam = (
  beta1: number,
  beta2: number,
  stepSize: number,
  epsilon: number,
  epsilonInside: number,
  ...arrays: Float32Array[]
) => void;
let native: NativeAdam | undefined;

/** Node with the addon: the update in C++ on the worker threads (tests switch it off and on). */
export function setNativeAdam(fn: NativeAdam | undefined): void {
  native = fn;
}

/**
 * One Adam update of one variable as a single wasm kernel: param, m and v in, their new values out, in one
 * pass over the heap. Written as tf ops it is eleven kernels per variable, and for small nets (the rings'
 * MLPs, ≈20 variables) tfjs's per-kernel overhead, not arithmetic, is what a step costs.
 *
 * New outputs, never an update in place, even where no other tensor shares the buffers: wasm's own matmul and
 * conv kernels (XNNPACK) cache their packed weights by tensor and assume tensors never change. Tried:
 * writing the generator's 8×64 input layer in place left XNNPACK multiplying by stale weights
 * (exact resume and the browser playground failed), for a ≈3% faster rings step.
 */
export function installWasmAdam(): void {
  if (installed || !tf.getKernel('Identity', 'wasm')) return;
  registerHeapKernel(
    ADAM_KERNEL,
    ['param', 'm', 'v', 'grad'],
    ([param, m, v]) => [param!, m!, v!],
    ({ out: [p1, m1, v1], in: [p0, m0, v0, g], attrs }) => {
      const a = attrs as unknown as AdamKernelAttrs;
      if (native) {
        const inside = a.epsilonInside ? 1 : 0;
        native(a.beta1, a.beta2, a.stepSize, a.epsilon, inside, p0!, m0!, v0!, g!, p1, m1, v1);
      } else {
        adamUpdate(a, p0!, m0!, v0!, g!, p1, m1, v1);
      }
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
