import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native/openblas.js';
import { heapView, type WasmBackend } from './wasm-heap.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function batchMatMulKernel(blas: NativeBlas, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as KernelArgs;
    const backend = (args as KernelArgs).backend as WasmBackend;
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    const transposeA = !!attrs?.transposeA;
    const transposeB = !!attrs?.transposeB;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchA = sizeOf(a.shape.slice(0, -2));
    const batchB = sizeOf(b.shape.slice(0, -2));
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const simpleBatch = batchA === batchB || batchA === 1 || batchB === 1;
    // tiny plain products: wasm's own kernel beats the call into BLAS
    const tiny = !transposeA && !transposeB && m * n * k * Math.max(batchA, batchB) < 1 << 16;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || k !== kb || !simpleBatch || m * n === 0 || tiny) {
      return fallback(args);
    }
    const outer = (batchA >= batchB ? a : b).shape.slice(0, -2);
    const out = backend.makeOutput([...outer, m, n], 'float32');
    // views are taken after makeOutput: its malloc may grow (and so replace) the heap buffer
    blas.sgemmBatch(
      Math.max(batchA, batchB),
      transposeA,
      transposeB,
      m,
      n,
      k,
      heapView(backend, a),
      batchA > 1 ? m * k : 0,
      heapView(backend, b),
      batchB > 1 ? k * n : 0,
      heapView(backend, out),
    );
    return out;
  };
}

let installed = false;

/**
 * Replaces the wasm backend's BatchMatMul with OpenBLAS sgemm on the same heap memory. BLAS handles the
 * transposed forms natively, so the gradient's transposeA/transposeB calls are as fast as the plain one.
 */
export function installNativeWasmKernels(blas: NativeBlas): void {
  if (installed) return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) throw new Error('wasm backend kernels are not registered yet');
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: batchMatMulKernel(blas, original.kernelFunc),
  });
  installed = true;
}

export function nativeWasmKernelsInstalled(): boolean {
  return installed;
}
