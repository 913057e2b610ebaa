import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native/openblas.js';
import { heapView, type WasmBackend } from './wasm-heap.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type Shape4 = [number, number, number, number];

/** [n, h, w, ci, kh, kw, co, stride, padTop, padLeft, outH, outW], or null where the native path does not apply. */
function dims(xShape: number[], wShape: number[], attrs: tf.NamedAttrMap | undefined): number[] | null {
  const strides = attrs?.strides as number | [number, number];
  const dilations = (attrs?.dilations ?? 1) as number | [number, number];
  const [sh, sw] = Array.isArray(strides) ? strides : [strides, strides];
  const [dh, dw] = Array.isArray(dilations) ? dilations : [dilations, dilations];
  if (sh !== sw || dh !== 1 || dw !== 1 || (attrs?.dataFormat ?? 'NHWC') !== 'NHWC') return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    wShape as Shape4,
    sh,
    1,
    attrs?.pad as 'same' | 'valid' | number,
    attrs?.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const [n, h, w, ci] = xShape;
  const [kh, kw, , co] = wShape;
  return [n, h, w, ci, kh, kw, co, sh, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth];
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Conv2D, Conv2DBackpropInput (also conv2dTranspose) and Conv2DBackpropFilter on the wasm heap through
 * im2col + OpenBLAS sgemm. wasm ships no Conv2DBackpropFilter at all; with these, tfjs's own conv gradients
 * work and run at BLAS speed.
 */
let installed = false;

export function installNativeConvKernels(blas: NativeBlas & { conv: NonNullable<NativeBlas['conv']> }): void {
  if (installed) return;
  installed = true;
  const original = tf.getKernel('Conv2D', 'wasm')?.kernelFunc;
  const originalInput = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
  const run = (
    kind: 0 | 1 | 2,
    d: number[],
    a: tf.TensorInfo,
    b: tf.TensorInfo,
    outShape: number[],
    backend: WasmBackend,
  ) => {
    const out = backend.makeOutput(outShape, 'float32');
    if (size(outShape) > 0)
      blas.conv(kind, d, heapView(backend, a), heapView(backend, b), heapView(backend, out));
    return out;
  };
  const replace = (name: string, kernelFunc: tf.KernelFunc) => {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  };
  replace('Conv2D', (args) => {
    const { inputs, attrs, backend } = args as KernelArgs;
    const x = inputs.x as tf.TensorInfo;
    const w = inputs.filter as tf.TensorInfo;
    const d = x.dtype === 'float32' ? dims(x.shape, w.shape, attrs) : null;
    if (!d) return original!(args);
    return run(0, d, x, w, [d[0], d[10], d[11], d[6]], backend as WasmBackend);
  });
  replace('Conv2DBackpropInput', (args) => {
    const { inputs, attrs, backend } = args as KernelArgs;
    const dy = inputs.dy as tf.TensorInfo;
    const w = inputs.filter as tf.TensorInfo;
    const xShape = attrs!.inputShape as number[];
    const d = dims(xShape, w.shape, attrs);
    if (!d) return originalInput!(args);
    return run(1, d, dy, w, xShape, backend as WasmBackend);
  });
  replace('Conv2DBackpropFilter', (args) => {
    const { inputs, attrs, backend } = args as KernelArgs;
    const x = inputs.x as tf.TensorInfo;
    const dy = inputs.dy as tf.TensorInfo;
    const wShape = attrs!.filterShape as number[];
    const d = dims(x.shape, wShape, attrs);
    if (!d) throw new Error('Conv2DBackpropFilter: only NHWC with equal strides and no dilation');
    return run(2, d, x, dy, wShape, backend as WasmBackend);
  });
}
