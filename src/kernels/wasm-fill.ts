import * as tf from '@tensorflow/tfjs';
import { heapView, type WasmBackend } from './wasm-heap.js';

/**
 * A new float32 tensor whose values `fill` writes straight into its memory: on wasm, into the heap, which
 * saves building a Float32Array in JavaScript and the backend's copy of it (≈9 MB for a 64×64 batch's input
 * noise); elsewhere through tf.tensor.
 */
export function filledTensor(shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  if (tf.getBackend() !== 'wasm') {
    const values = new Float32Array(tf.util.sizeFromShape(shape));
    fill(values);
    return tf.tensor(values, shape, 'float32');
  }
  const backend = tf.backend() as unknown as WasmBackend;
  const info = backend.makeOutput(shape, 'float32');
  fill(heapView(backend, info));
  return tf.engine().makeTensorFromTensorInfo(info);
}
