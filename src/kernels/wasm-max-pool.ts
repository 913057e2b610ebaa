import * as tf from '@tensorflow/tfjs';
import type { MaxPoolFns } from '../native/openblas.js';
import { registerHeapKernel } from './wasm-heap.js';

const FORWARD = 'SemiganMaxPool2';
const BACKWARD = 'SemiganMaxPool2Grad';

let installed = false;
let native: MaxPoolFns | undefined;

/** Node with the addon: the same loops in C++ (the ones below stay for browsers), the same bits. */
export function setNativeMaxPool(fns: MaxPoolFns | undefined): void {
  native = fns;
}

/**
 * 2×2 max-pooling with stride 2 (NHWC) as two wasm heap kernels. tfjs-backend-wasm's MaxPoolGrad took 10 of
 * the 24 s of a photo-cnn step at 64 px (25 calls); these loops take milliseconds. The backward pass finds
 * each window's maximum again from x and y (the first element equal to it, as tfjs breaks ties), so nothing
 * but the forward's own input and output is kept.
 */
export function installWasmMaxPool(): void {
  if (installed || !tf.getKernel('Identity', 'wasm')) return;
  const pooled = (x: number[]) => [x[0], Math.floor(x[1] / 2), Math.floor(x[2] / 2), x[3]];
  registerHeapKernel(
    FORWARD,
    ['x'],
    ([x]) => [pooled(x!)],
    ({ out: [y], in: [input], shapes: [s] }) => {
      const x = input!;
      const [n, h, w, c] = s!;
      if (native) return native.maxPool2(n, h, w, c, x, y);
      const oh = Math.floor(h / 2);
      const ow = Math.floor(w / 2);
      const row = w * c;
      let o = 0;
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < oh; i++) {
          for (let j = 0; j < ow; j++) {
            const p = (b * h + 2 * i) * row + 2 * j * c;
            for (let k = 0; k < c; k++, o++) {
              const a = x[p + k];
              const bb = x[p + c + k];
              const d = x[p + row + k];
              const e = x[p + row + c + k];
              const m1 = a > bb ? a : bb;
              const m2 = d > e ? d : e;
              y[o] = m1 > m2 ? m1 : m2;
            }
          }
        }
      }
    },
  );
  registerHeapKernel(
    BACKWARD,
    ['dy', 'x', 'y'],
    ([, x]) => [x!],
    ({ out: [dx], in: [dyIn, xIn, yIn], shapes: [, s] }) => {
      const [dy, x, y] = [dyIn!, xIn!, yIn!];
      const [n, h, w, c] = s!;
      if (native) return native.maxPool2Grad(n, h, w, c, dy, x, y, dx);
      const oh = Math.floor(h / 2);
      const ow = Math.floor(w / 2);
      const row = w * c;
      dx.fill(0);
      let o = 0;
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < oh; i++) {
          for (let j = 0; j < ow; j++) {
            const p = (b * h + 2 * i) * row + 2 * j * c;
            for (let k = 0; k < c; k++, o++) {
              const m = y[o];
              const at =
                x[p + k] === m
                  ? p
                  : x[p + c + k] === m
                    ? p + c
                    : x[p + row + k] === m
                      ? p + row
                      : p + row + c;
              dx[at + k] = dy[o];
            }
          }
        }
      }
    },
  );
  installed = true;
}

type Grad = Parameters<typeof tf.customGrad>[0];
let pool2: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined;

/** 2×2 max-pool, stride 2, 'valid' padding: the heap kernels on wasm, tf.maxPool elsewhere. */
export function maxPool2(x: tf.Tensor4D): tf.Tensor4D {
  if (!installed || tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return tf.maxPool(x, 2, 2, 'valid');
  pool2 ??= tf.customGrad(((xi: tf.Tensor4D, save: tf.GradSaveFunc) => {
    const y = tf.engine().runKernel(FORWARD, { x: xi }) as tf.Tensor4D;
    save([xi, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [sx, sy]: tf.Tensor[]) => [
        tf.engine().runKernel(BACKWARD, { dy, x: sx, y: sy }) as tf.Tensor,
      ],
    };
  }) as unknown as Grad) as (x: tf.Tensor4D) => tf.Tensor4D;
  return pool2(x);
}
