import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm that kernels use (the package does not export its types). */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** A Float32Array view of a tensor's data inside the wasm heap: no copy. */
export function heapView(backend: WasmBackend, t: tf.TensorInfo): Float32Array {
  const offset = backend.dataIdMap.get(t.dataId).memoryOffset;
  const size = t.shape.reduce((a, b) => a * b, 1);
  return new Float32Array(backend.wasm.HEAPU8.buffer, offset, size);
}
