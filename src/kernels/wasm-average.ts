import * as tf from '@tensorflow/tfjs';
import { registerHeapKernel } from './wasm-heap.js';

const AVERAGE_KERNEL = 'SemiganAverage';

/** average(rate, a, p, out) in the addon: out = a + rate·(p − a), float32 steps, on the worker threads. */
export type NativeAverage = (rate: number, a: Float32Array, p: Float32Array, out: Float32Array) => void;
let native: NativeAverage | undefined;
let installed = false;

/** Node with the addon: the pass in C++ (tests switch it off and on). */
export function setNativeAverage(fn: NativeAverage | undefined): void {
  native = fn;
}

/**
 * One step of a weight average, a + rate·(p − a), as one pass instead of three kernels (Sub, a broadcast
 * Multiply that wasm runs one element at a time, Add): ≈3 ms of an MNIST step for D's 1.5 M weights. Each
 * operation is rounded to float32 as the three kernels round it, so both forms give the same bits.
 */
export function installWasmAverage(): void {
  if (installed || !tf.getKernel('Identity', 'wasm')) return;
  registerHeapKernel(
    AVERAGE_KERNEL,
    ['average', 'param'],
    ([a]) => [a!],
    ({ out: [out], in: [a, p], attrs }) => {
      const rate = Math.fround((attrs as { rate: number }).rate);
      if (native) return native(rate, a!, p!, out);
      for (let i = 0; i < out.length; i++) out[i] = a![i] + Math.fround(Math.fround(p![i] - a![i]) * rate);
    },
  );
  installed = true;
}

/** The averaged tensor's next value when the current backend has the kernel; undefined means: use tf ops. */
export function fusedAverage(average: tf.Tensor, param: tf.Tensor, rate: number): tf.Tensor | undefined {
  if (!installed || tf.getBackend() !== 'wasm' || param.dtype !== 'float32') return undefined;
  return tf.engine().runKernel(AVERAGE_KERNEL, { average, param }, { rate }) as tf.Tensor;
}
