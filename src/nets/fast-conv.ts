import * as tf from '@tensorflow/tfjs';

/**
 * Convolutions whose gradients run on the backend's fast forward conv2d. tfjs-backend-wasm 4.22 has no
 * Conv2DBackpropFilter kernel at all (conv weights cannot train) and runs Conv2DBackpropInput, which is also
 * conv2dTranspose, at ≈1.6 GFLOP/s against 10–18 for conv2d. Both are rewritten exactly:
 * - input gradient / transposed conv: insert stride−1 zeros between rows and columns of dy, pad, and
 *   correlate with the spatially flipped, in/out-swapped filter at stride 1;
 * - filter gradient: a conv2d of the padded input (channels as batch, batch as channels) with dy as filter,
 *   dilated by the stride.
 * When a backend has fast native kernels for these (the OpenBLAS addon, tfjs-node), tfjs's own ops are used.
 */
export type Padding = 'same' | 'valid';

let nativeConvKernels = false;

/** Set by the native kernel installer: the direct backprop kernels are then the fast path. */
export function setNativeConvKernels(on: boolean): void {
  nativeConvKernels = on;
}

function useBuiltIn(): boolean {
  const b = tf.getBackend();
  return b === 'tensorflow' || (b === 'wasm' && nativeConvKernels) || b === 'webgl' || b === 'webgpu';
}

function convInfo(xShape: number[], wShape: number[], stride: number, pad: Padding) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    wShape as [number, number, number, number],
    stride,
    1,
    pad,
  );
}

/** dL/dx of y = conv2d(x, w, stride, pad), given dy; x has shape xShape. Equals conv2dTranspose(dy, w). */
export function conv2dInputGrad(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: number[],
  stride: number,
  pad: Padding,
): tf.Tensor4D {
  if (useBuiltIn()) {
    return tf.conv2dTranspose(dy, w, xShape as [number, number, number, number], stride, pad);
  }
  return tf.tidy(() => {
    const info = convInfo(xShape, w.shape, stride, pad);
    const [n, oh, ow, co] = dy.shape;
    const [kh, kw] = w.shape;
    let d: tf.Tensor4D = dy;
    if (stride > 1) {
      // zero insertion: [n, oh, 1, ow, 1, co] padded to [n, oh, s, ow, s, co], trimmed to (o−1)·s+1
      const six = tf.reshape(dy, [n, oh, 1, ow, 1, co]);
      const spread = tf.pad(six, [
        [0, 0],
        [0, 0],
        [0, stride - 1],
        [0, 0],
        [0, stride - 1],
        [0, 0],
      ]);
      d = tf.slice(
        tf.reshape(spread, [n, oh * stride, ow * stride, co]),
        [0, 0, 0, 0],
        [n, (oh - 1) * stride + 1, (ow - 1) * stride + 1, co],
      ) as tf.Tensor4D;
    }
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = xShape[1] + kh - 1 - top - d.shape[1];
    const right = xShape[2] + kw - 1 - left - d.shape[2];
    d = padOrCrop(d, top, bottom, left, right);
    const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(d, flipped, 1, 'valid');
  });
}

/** dL/dw of y = conv2d(x, w, stride, pad), given dy; w has shape wShape. */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  wShape: number[],
  stride: number,
  pad: Padding,
): tf.Tensor4D {
  if (useBuiltIn()) {
    return tf.tidy(() => {
      const attrs = {
        strides: stride,
        pad,
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
        filterShape: wShape,
      };
      return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap);
    }) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const info = convInfo(x.shape, wShape, stride, pad);
    const [kh, kw] = wShape;
    const [, oh, ow] = dy.shape;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    // enough rows/columns that every tap of every output position exists
    const bottom = (oh - 1) * stride + kh - x.shape[1] - top;
    const right = (ow - 1) * stride + kw - x.shape[2] - left;
    const xp = padOrCrop(x, top, bottom, left, right);
    const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [ci, h, w, n]
    const f = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, n, co]
    const g = tf.conv2d(xt, f, 1, 'valid', 'NHWC', stride); // [ci, kh, kw, co]
    return tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Pads (positive) or crops (negative) the spatial edges of an NHWC tensor. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let y = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.max(0, -top);
    const l = Math.max(0, -left);
    y = tf.slice(
      y,
      [0, t, l, 0],
      [y.shape[0], y.shape[1] - t - Math.max(0, -bottom), y.shape[2] - l - Math.max(0, -right), y.shape[3]],
    );
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    y = tf.pad(y, [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ]);
  }
  return y;
}

/** conv2d (NHWC, filter [kh, kw, in, out]) with fast, exact gradients for x and w. */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: Padding): tf.Tensor4D {
  // tfjs's own gradient computes dx only when x needs it (not for the input images of a D step)
  if (useBuiltIn()) return tf.conv2d(x, w, stride, pad);
  const f = tf.customGrad(((xi: tf.Tensor4D, wi: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([xi, wi]);
    return {
      value: tf.conv2d(xi, wi, stride, pad),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as tf.Tensor4D[];
        return [
          conv2dInputGrad(dy, sw, sx.shape, stride, pad),
          conv2dFilterGrad(sx, dy, sw.shape, stride, pad),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;
  return f(x, w);
}

/**
 * Transposed convolution (the DCGAN generator's upsampling): output shape outShape, filter [kh, kw, out, in]
 * as in tf.conv2dTranspose. Its forward is conv2d's input gradient; its gradients are conv2d and a filter
 * gradient with the roles of input and output exchanged.
 */
export function conv2dTranspose(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  outShape: number[],
  stride: number,
  pad: Padding,
): tf.Tensor4D {
  if (useBuiltIn())
    return tf.conv2dTranspose(x, w, outShape as [number, number, number, number], stride, pad);
  const f = tf.customGrad(((xi: tf.Tensor4D, wi: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([xi, wi]);
    return {
      value: conv2dInputGrad(xi, wi, outShape, stride, pad),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as tf.Tensor4D[];
        return [tf.conv2d(dy, sw, stride, pad), conv2dFilterGrad(dy, sx, sw.shape, stride, pad)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;
  return f(x, w);
}
