import * as tf from '@tensorflow/tfjs';

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

/** What a heap kernel's body sees: its outputs' and inputs' views (undefined for an absent optional input). */
export interface HeapKernelCall {
  out: Float32Array[];
  in: (Float32Array | undefined)[];
  attrs: tf.NamedAttrMap;
  /** The inputs' shapes, in the order named. */
  shapes: (number[] | undefined)[];
}

/**
 * Registers a wasm kernel that works on float32 views of the heap: `outShapes` gives its outputs' shapes from
 * its inputs' (in the order named), `body` fills the outputs. One output is returned as a tensor, several as
 * an array.
 */
export function registerHeapKernel(
  name: string,
  inputNames: readonly string[],
  outShapes: (shapes: (number[] | undefined)[], attrs: tf.NamedAttrMap) => number[][],
  body: (call: HeapKernelCall) => void,
): void {
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs = {} }) => {
      const b = backend as unknown as WasmBackend;
      const ins = inputNames.map((n) => inputs[n] as tf.TensorInfo | undefined);
      const shapes = ins.map((t) => t?.shape);
      const outs = outShapes(shapes, attrs).map((s) => b.makeOutput(s, 'float32'));
      // views after every makeOutput: a malloc may grow the heap and detach earlier views
      body({
        out: outs.map((t) => heapView(b, t)),
        in: ins.map((t) => (t ? heapView(b, t) : undefined)),
        attrs,
        shapes,
      });
      return outs.length === 1 ? outs[0] : outs;
    },
  });
}
