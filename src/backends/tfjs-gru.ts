/**
 * The GRU on TensorFlow.js (loaded with tfjs-engine.ts). tf.layers.gru has the reset gate before the
 * product only (it refuses resetAfter: true), one bias, and the gate order z, r, h: the contract's
 * reset-before GRU goes in with its blocks reordered (gate-order.ts) and b + bh as that bias, since both
 * biases enter every block's sum as they are. The reset after the product, which no layer of
 * TensorFlow.js has, is written here in TensorFlow.js's ops, each step like the contract's equations.
 */
import * as tf from '@tensorflow/tfjs';
import type { RnnParams } from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import { inverseOrder, KERAS_GRU_ORDER, reorderBlocks } from './gate-order.js';

/** The contract's reset-before GRU weights as tf.layers.gru's [kernel, recurrentKernel, bias]. */
export function kerasGruWeights(p: RnnParams, H: number): Float64Array[] {
  const b = p.b.data;
  const bh = (p.bh as Tensor).data;
  const bias = Float64Array.from(b, (v, i) => v + (bh[i] as number));
  return [p.wx.data, p.wh.data, bias].map((d) => reorderBlocks(d, H, KERAS_GRU_ORDER));
}

/** Gradients of tf.layers.gru's [kernel, recurrentKernel, bias] in the contract's order: wx, wh, b (= bh). */
export function contractGruGradients(g: ArrayLike<number>[], H: number): Float64Array[] {
  return g.map((d) => reorderBlocks(d, H, inverseOrder(KERAS_GRU_ORDER)));
}

/**
 * hs [B,T,H] of the GRU with the reset after the product: per step (xr, xz, xn) = x_t·wx + b,
 * (hr, hz, hn) = h_{t−1}·wh + bh, r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r ⊙ hn),
 * h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}. Differentiable by tf.variableGrads.
 */
export function gruResetAfter(x: tf.Tensor, h0: tf.Tensor, wx: tf.Tensor, wh: tf.Tensor, b: tf.Tensor, bh: tf.Tensor) {
  const [B, T, F] = x.shape as [number, number, number];
  const H = h0.shape[1] as number;
  const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [B * T, F]), wx), b), [B, T, 3 * H]);
  let h = h0;
  const out: tf.Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const [xr, xz, xn] = tf.split(tf.reshape(tf.slice(xw, [0, t, 0], [B, 1, 3 * H]), [B, 3 * H]), 3, 1) as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
    const [hr, hz, hn] = tf.split(tf.add(tf.matMul(h, wh), bh), 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
    out.push(h);
  }
  return tf.stack(out, 1);
}
