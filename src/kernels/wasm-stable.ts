import * as tf from '@tensorflow/tfjs';
import { registerHeapKernel } from './wasm-heap.js';

const LSE = 'SemiganLogSumExp';
const LSE_GRAD = 'SemiganLogSumExpGrad';
const SOFTPLUS = 'SemiganSoftplus';
const SOFTPLUS_GRAD = 'SemiganSoftplusGrad';

let installed = false;

/** A one-output heap kernel whose output shape follows its first input's; body(output, ...inputs). */
function register(
  name: string,
  inputNames: string[],
  outShape: (x: number[]) => number[],
  body: (...v: Float32Array[]) => void,
) {
  registerHeapKernel(
    name,
    inputNames,
    ([x]) => [outShape(x!)],
    (c) => body(c.out[0], ...(c.in as Float32Array[])),
  );
}

/**
 * The objectives' numerically stable pieces as one kernel each way: log Σ exp over rows (7 tf kernels as ops)
 * and softplus (6). Their tensors are [batch, K] logits, a few hundred numbers, so tfjs's per-kernel overhead
 * is all they cost: on the rings a klogit-fm step spent ≈70 of its 428 kernels on them.
 */
export function installWasmStableOps(): void {
  if (installed || !tf.getKernel('Identity', 'wasm')) return;
  const rowsOf = (x: number[]) => [x[0]];
  const shapeOf = (x: number[]) => x;
  register(LSE, ['x'], rowsOf, (y, x) => {
    const k = x.length / y.length;
    for (let r = 0; r < y.length; r++) {
      let m = -Infinity;
      for (let j = 0; j < k; j++) m = Math.max(m, x[r * k + j]);
      let s = 0;
      for (let j = 0; j < k; j++) s += Math.exp(x[r * k + j] - m);
      y[r] = m + Math.log(s);
    }
  });
  // y is the forward output: dx = exp(x − y) · dy = softmax(x) · dy
  register(LSE_GRAD, ['x', 'y', 'dy'], shapeOf, (dx, x, y, dy) => {
    const k = x.length / y.length;
    for (let r = 0; r < y.length; r++) {
      for (let j = 0; j < k; j++) dx[r * k + j] = Math.exp(x[r * k + j] - y[r]) * dy[r];
    }
  });
  register(SOFTPLUS, ['x'], shapeOf, (y, x) => {
    for (let i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0) + Math.log1p(Math.exp(-Math.abs(x[i])));
  });
  register(SOFTPLUS_GRAD, ['x', 'dy'], shapeOf, (dx, x, dy) => {
    for (let i = 0; i < x.length; i++) dx[i] = dy[i] / (1 + Math.exp(-x[i]));
  });
  tf.registerGradient({
    kernelName: LSE,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [x, y] = saved;
      return { x: () => tf.engine().runKernel(LSE_GRAD, { x, y, dy: dy as tf.Tensor }) as tf.Tensor };
    },
  });
  tf.registerGradient({
    kernelName: SOFTPLUS,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.engine().runKernel(SOFTPLUS_GRAD, { x, dy: dy as tf.Tensor }) as tf.Tensor };
    },
  });
  installed = true;
}

const usable = (x: tf.Tensor) => installed && x.dtype === 'float32' && tf.getBackend() === 'wasm';

/** log Σ_k exp(x_k) per row as one kernel, or undefined where the op form must run. */
export function fusedLogSumExpRows(x: tf.Tensor2D): tf.Tensor1D | undefined {
  return usable(x) ? (tf.engine().runKernel(LSE, { x }) as tf.Tensor1D) : undefined;
}

/** softplus(x) as one kernel, or undefined where the op form must run. */
export function fusedSoftplus<T extends tf.Tensor>(x: T): T | undefined {
  return usable(x) ? (tf.engine().runKernel(SOFTPLUS, { x }) as T) : undefined;
}
