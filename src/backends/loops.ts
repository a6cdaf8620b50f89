/**
 * `loops`: the float64 reference backend, plain loops over flat arrays: the SimpleRNN
 * (src/kernels/simple-rnn.ts), the LSTM (lstm.ts) and the GRU (gru.ts), each written like its equations.
 */
import { gradientArrays, rnnBackward, rnnForward, type RnnArrays } from '../kernels/simple-rnn.js';
import {
  checkBackward,
  checkForward,
  type CheckedCall,
  type RnnBackend,
  type RnnGradients,
  type RnnOptions,
  type RnnParams,
} from '../core/rnn.js';
import { asFloat64, type Tensor } from '../core/tensor.js';
import { gemmABt } from '../kernels/gemm.js';
import { gatedGradientArrays, type GatedArrays, type GatedGradients } from '../kernels/gated.js';
import { gruBackward, gruForward } from '../kernels/gru.js';
import { lstmBackward, lstmForward } from '../kernels/lstm.js';
import { CELLS, GATES } from '../core/kinds.js';
import type { BackendEntry, MatmulProbe } from '../registry/types.js';

/** Float64 views of a validated call's inputs (converted copies for Float32Array inputs). */
export function rnnArrays(p: RnnParams, x: Tensor, call: CheckedCall): RnnArrays {
  return {
    wx: asFloat64(p.wx),
    wh: asFloat64(p.wh),
    b: asFloat64(p.b),
    x: asFloat64(x),
    h0: call.h0 === undefined ? undefined : asFloat64(call.h0),
  };
}

/** Float64 views of a validated gated call's inputs, bh and c0 included. */
export function gatedArrays(p: RnnParams, x: Tensor, call: CheckedCall): GatedArrays {
  return {
    ...rnnArrays(p, x, call),
    bh: p.bh === undefined ? undefined : asFloat64(p.bh),
    c0: call.c0 === undefined ? undefined : asFloat64(call.c0),
  };
}

/**
 * Wraps gradient buffers as tensors of the contract's shapes: [F,G·H], [H,G·H], [G·H] for the weights
 * and biases (G gate blocks: 1, 4 or 3), and bh for a GRU, c0 for an LSTM.
 */
export function gradientTensors(
  call: CheckedCall,
  g: ReturnType<typeof gradientArrays> | GatedGradients,
): RnnGradients {
  const { B, T, F, H } = call;
  const G = GATES[call.cell] * H;
  return {
    wx: { shape: [F, G], data: g.wx },
    wh: { shape: [H, G], data: g.wh },
    b: { shape: [G], data: g.b },
    x: { shape: [B, T, F], data: g.x },
    h0: { shape: [B, H], data: g.h0 },
    ...(call.cell === 'gru' && 'bh' in g ? { bh: { shape: [G], data: g.bh } } : {}),
    ...(call.cell === 'lstm' && 'c0' in g ? { c0: { shape: [B, H], data: g.c0 } } : {}),
  };
}

/** The forward pass of a validated call, in this thread. */
export function forwardInThread(call: CheckedCall, p: RnnParams, x: Tensor): Tensor {
  const shape = [call.B, call.T, call.H];
  if (call.cell === 'lstm') return { shape, data: lstmForward(call, gatedArrays(p, x, call)).hs };
  if (call.cell === 'gru') return { shape, data: gruForward(call, gatedArrays(p, x, call), call.resetAfter).hs };
  const hs = new Float64Array(call.B * call.T * call.H);
  rnnForward(call, call.activation, rnnArrays(p, x, call), hs);
  return { shape, data: hs };
}

/**
 * The backward pass of a validated call, in this thread. A gated cell recomputes its forward pass (the
 * contract gives backward hs, not the gates), so its hs argument is only validated.
 */
export function backwardInThread(call: CheckedCall, p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor): RnnGradients {
  if (call.cell !== 'rnn') {
    const g = gatedGradientArrays(call, call.cell);
    if (call.cell === 'lstm') lstmBackward(call, gatedArrays(p, x, call), asFloat64(dhs), g);
    else gruBackward(call, gatedArrays(p, x, call), call.resetAfter, asFloat64(dhs), g);
    return gradientTensors(call, g);
  }
  const g = gradientArrays(call);
  rnnBackward(call, call.activation, rnnArrays(p, x, call), asFloat64(hs), asFloat64(dhs), g);
  return gradientTensors(call, g);
}

export class LoopsBackend implements RnnBackend {
  readonly name = 'loops';
  readonly precision = 'float64';
  readonly cells = CELLS;

  async forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    return forwardInThread(checkForward('loops.forward', p, x, o), p, x);
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients> {
    return backwardInThread(checkBackward('loops.backward', p, x, hs, dhs, o), p, x, hs, dhs);
  }

  async dispose(): Promise<void> {}
}

export const loopsEntry: BackendEntry = {
  name: 'loops',
  precision: 'float64',
  validatesInput: true,
  cells: CELLS,
  description: 'float64 reference: plain loops over flat arrays (SimpleRNN, LSTM, GRU)',
  availability: async () => ({ available: true }),
  create: async () => new LoopsBackend(),
  // Stryker disable all: the benchmark's matrix-multiply probe (timed input data, not the reference math)
  matmulProbe: async (n: number): Promise<MatmulProbe> => {
    const a = new Float64Array(n * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const bt = new Float64Array(n * n).map((_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
    const c = new Float64Array(n * n);
    return {
      engine: 'loops gemmABt (float64, 1 thread)',
      multiply: async () => gemmABt(n, n, n, a, 0, n, bt, 0, n, c, 0, n, false),
      dispose: async () => {},
    };
  },
  // Stryker restore all
};
