import * as tf from '@tensorflow/tfjs';
import type { Conv2D } from './conv-layers.js';
import type { Activation, Dense } from './layers.js';

/** A tf.layers dense layer holding `d`'s effective weights, keeping only the first `units` outputs. */
export function denseLayer(
  d: Dense,
  x: tf.SymbolicTensor,
  units?: number,
  activation?: Activation | 'softmax',
) {
  const [k, b] = d.effective();
  const n = units ?? k.shape[1];
  const kernel = tf.slice(k, [0, 0], [-1, n]);
  const bias = tf.slice(b, [0], [n]);
  const lrelu = activation === 'lrelu';
  const layer = tf.layers.dense({
    units: n,
    activation: lrelu || !activation ? 'linear' : activation,
  });
  let y = layer.apply(x) as tf.SymbolicTensor;
  layer.setWeights([kernel, bias]);
  tf.dispose([k, b, kernel, bias]);
  if (lrelu) y = tf.layers.leakyReLU({ alpha: 0.2 }).apply(y) as tf.SymbolicTensor;
  return y;
}

export function convLayer(c: Conv2D, x: tf.SymbolicTensor): tf.SymbolicTensor {
  const [w, b] = c.effective();
  const layer = tf.layers.conv2d({
    filters: w.shape[3],
    kernelSize: w.shape[0],
    strides: c.stride,
    padding: c.padding,
  });
  const y = layer.apply(x) as tf.SymbolicTensor;
  layer.setWeights([w, b]);
  tf.dispose([w, b]);
  return y;
}

export const leaky = (x: tf.SymbolicTensor) =>
  tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as tf.SymbolicTensor;
