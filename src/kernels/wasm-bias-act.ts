import * as tf from '@tensorflow/tfjs';
import type { BiasActFns } from '../native/openblas.js';
import { registerHeapKernel } from './wasm-heap.js';

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
  const alphaOf = (attrs: unknown) => (attrs as { alpha: number }).alpha;
  registerPair(
    FORWARD,
    BACKWARD,
    (c, x, bias, y, attrs) => native!.biasAct(c, alphaOf(attrs), x, bias, y),
    (c, dy, y, dx, db, attrs) => native!.biasActGrad(c, alphaOf(attrs), dy, y, dx, db),
  );
  registerPair(
    TANH,
    TANH_BACKWARD,
    (c, x, bias, y) => native!.biasTanh!(c, x, bias, y),
    (c, dy, y, dx, db) => native!.biasTanhGrad!(c, dy, y, dx, db),
  );
}

type F32 = Float32Array;

/**
 * Two wasm kernels over the last axis (c channels): forward (x, bias) → y, and backward (dy, y) → [dx, db],
 * the gradient read from the output as both activations allow.
 */
function registerPair(
  forward: string,
  backward: string,
  fwd: (c: number, x: F32, bias: F32, y: F32, attrs: unknown) => void,
  bwd: (c: number, dy: F32, y: F32, dx: F32, db: F32, attrs: unknown) => void,
): void {
  const channels = (shape: number[]) => shape[shape.length - 1];
  registerHeapKernel(
    forward,
    ['x', 'bias'],
    ([x]) => [x!],
    ({ out: [y], in: [x, bias], shapes: [xs], attrs }) => fwd(channels(xs!), x!, bias!, y, attrs),
  );
  registerHeapKernel(
    backward,
    ['dy', 'y'],
    ([, y]) => [y!, [channels(y!)]],
    ({ out: [dx, db], in: [dy, y], shapes: [, ys], attrs }) => bwd(channels(ys!), dy!, y!, dx, db, attrs),
  );
}

type Grad = Parameters<typeof tf.customGrad>[0];
type BiasFn = (x: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const fns = new Map<string, BiasFn>();

/** The custom-gradient op over a registered pair, made once per kernel and attributes. */
function fusedOp(forward: string, backward: string, attrs: tf.NamedAttrMap): BiasFn {
  const key = `${forward}/${JSON.stringify(attrs)}`;
  let f = fns.get(key);
  if (!f) {
    const run = (name: string, inputs: tf.NamedTensorMap) =>
      tf.engine().runKernel(name, inputs, attrs) as unknown as tf.Tensor | tf.Tensor[];
    f = tf.customGrad(((xi: tf.Tensor, bi: tf.Tensor, save: tf.GradSaveFunc) => {
      const y = run(forward, { x: xi, bias: bi }) as tf.Tensor;
      save([y]);
      return { value: y, gradFunc: (dy: tf.Tensor, [sy]: tf.Tensor[]) => run(backward, { dy, y: sy }) };
    }) as unknown as Grad) as BiasFn;
    fns.set(key, f);
  }
  return f;
}

const usable = (x: tf.Tensor) => tf.getBackend() === 'wasm' && x.dtype === 'float32';

/** tanh(x + b) as one native kernel each way (a DCGAN generator's output); undefined means: use tf ops. */
export function fusedBiasTanh<T extends tf.Tensor>(x: T, bias: tf.Tensor): T | undefined {
  if (!native?.biasTanh || !usable(x)) return undefined;
  return fusedOp(TANH, TANH_BACKWARD, {})(x, bias) as T;
}

/** Turns the fused path off again (tests compare both paths). */
export function setNativeBiasAct(fns: BiasActFns | undefined): void {
  native = fns;
}

/** max(x + b, α(x + b)) as one kernel each way when the addon has it; undefined means: use tf ops. */
export function fusedBiasAct<T extends tf.Tensor>(x: T, bias: tf.Tensor, alpha: number): T | undefined {
  if (!native || !usable(x)) return undefined;
  return fusedOp(FORWARD, BACKWARD, { alpha })(x, bias) as T;
}
