import * as tf from '@tensorflow/tfjs';
import { heapView, type WasmBackend } from './wasm-heap.js';

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
  tf.registerKernel({
    kernelName: ADAM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as WasmBackend;
      const { param, m, v, grad } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as unknown as AdamKernelAttrs;
      const outs = [param, m, v].map((t) => b.makeOutput(t.shape, 'float32'));
      // views after every makeOutput: a malloc may grow the heap and detach earlier views
      const [p0, m0, v0, g] = [param, m, v, grad].map((t) => heapView(b, t));
      const [p1, m1, v1] = outs.map((t) => heapView(b, t));
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
      return outs;
    },
  });
  installed = true;
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
