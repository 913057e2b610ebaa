import * as tf from '@tensorflow/tfjs';
import type { BiasActFns } from '../native/openblas.js';
import { heapView, type WasmBackend } from './wasm-heap.js';

const FORWARD = 'SemiganBiasAct';
const BACKWARD = 'SemiganBiasActGrad';
const TANH = 'SemiganBiasTanh';
const TANH_BACKWARD = 'SemiganBiasTanhGrad';

let native: BiasActFns | undefined;
let installed = false;

/**
 * max(p, αp) with p = x + b over the last axis, one native pass each way (the addon only: in JavaScript the
 * loop is slower than wasm's three SIMD kernels on image-sized tensors). Measured on the DCGAN step: the
 * discriminator's bias adds and leaky ReLUs were ≈50 ms of Add, Step and Multiply kernels.
 */
export function installNativeBiasAct(fns: BiasActFns): void {
  native = fns;
  if (installed) return;
  installed = true;
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as WasmBackend;
      const { x, bias } = inputs as Record<string, tf.TensorInfo>;
      const y = b.makeOutput(x.shape, 'float32');
      const c = x.shape[x.shape.length - 1];
      native!.biasAct(
        c,
        (attrs as { alpha: number }).alpha,
        heapView(b, x),
        heapView(b, bias),
        heapView(b, y),
      );
      return y;
    },
  });
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as WasmBackend;
      const { dy, y } = inputs as Record<string, tf.TensorInfo>;
      const c = y.shape[y.shape.length - 1];
      const outs = [b.makeOutput(y.shape, 'float32'), b.makeOutput([c], 'float32')];
      const [dx, db] = outs.map((t) => heapView(b, t));
      native!.biasActGrad(c, (attrs as { alpha: number }).alpha, heapView(b, dy), heapView(b, y), dx, db);
      return outs;
    },
  });
  tf.registerKernel({
    kernelName: TANH,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as WasmBackend;
      const { x, bias } = inputs as Record<string, tf.TensorInfo>;
      const y = b.makeOutput(x.shape, 'float32');
      native!.biasTanh!(x.shape[x.shape.length - 1], heapView(b, x), heapView(b, bias), heapView(b, y));
      return y;
    },
  });
  tf.registerKernel({
    kernelName: TANH_BACKWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as WasmBackend;
      const { dy, y } = inputs as Record<string, tf.TensorInfo>;
      const c = y.shape[y.shape.length - 1];
      const outs = [b.makeOutput(y.shape, 'float32'), b.makeOutput([c], 'float32')];
      const [dx, db] = outs.map((t) => heapView(b, t));
      native!.biasTanhGrad!(c, heapView(b, dy), heapView(b, y), dx, db);
      return outs;
    },
  });
}

let tanhFn: ((x: tf.Tensor, b: tf.Tensor) => tf.Tensor) | undefined;

/** tanh(x + b) as one native kernel each way (a DCGAN generator's output); undefined means: use tf ops. */
export function fusedBiasTanh<T extends tf.Tensor>(x: T, bias: tf.Tensor): T | undefined {
  if (!native?.biasTanh || tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return undefined;
  tanhFn ??= tf.customGrad(((xi: tf.Tensor, bi: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.engine().runKernel(TANH, { x: xi, bias: bi }) as tf.Tensor;
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [sy]: tf.Tensor[]) =>
        tf.engine().runKernel(TANH_BACKWARD, { dy, y: sy }) as unknown as tf.Tensor[],
    };
  }) as unknown as Grad) as (x: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  return tanhFn(x, bias) as T;
}

/** Turns the fused path off again (tests compare both paths). */
export function setNativeBiasAct(fns: BiasActFns | undefined): void {
  native = fns;
}

type Grad = Parameters<typeof tf.customGrad>[0];
const fns = new Map<number, (x: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

/** max(x + b, α(x + b)) as one kernel each way when the addon has it; undefined means: use tf ops. */
export function fusedBiasAct<T extends tf.Tensor>(x: T, bias: tf.Tensor, alpha: number): T | undefined {
  if (!native || tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return undefined;
  let f = fns.get(alpha);
  if (!f) {
    const run = (name: string, inputs: tf.NamedTensorMap) =>
      tf.engine().runKernel(name, inputs, { alpha }) as unknown as tf.Tensor | tf.Tensor[];
    f = tf.customGrad(((xi: tf.Tensor, bi: tf.Tensor, save: tf.GradSaveFunc) => {
      const y = run(FORWARD, { x: xi, bias: bi }) as tf.Tensor;
      save([y]);
      return { value: y, gradFunc: (dy: tf.Tensor, [sy]: tf.Tensor[]) => run(BACKWARD, { dy, y: sy }) };
    }) as unknown as Grad) as (x: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    fns.set(alpha, f);
  }
  return f(x, bias) as T;
}
