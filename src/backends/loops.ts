/** `loops`: the float64 reference backend, plain loops over flat arrays (src/kernels/simple-rnn.ts). */
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

/** Wraps gradient buffers as tensors of the contract's shapes. */
export function gradientTensors(call: CheckedCall, g: ReturnType<typeof gradientArrays>): RnnGradients {
  const { B, T, F, H } = call;
  return {
    wx: { shape: [F, H], data: g.wx },
    wh: { shape: [H, H], data: g.wh },
    b: { shape: [H], data: g.b },
    x: { shape: [B, T, F], data: g.x },
    h0: { shape: [B, H], data: g.h0 },
  };
}

/** The forward pass of a validated call, in this thread. */
export function forwardInThread(call: CheckedCall, p: RnnParams, x: Tensor): Tensor {
  const hs = new Float64Array(call.B * call.T * call.H);
  rnnForward(call, call.activation, rnnArrays(p, x, call), hs);
  return { shape: [call.B, call.T, call.H], data: hs };
}

/** The backward pass of a validated call, in this thread. */
export function backwardInThread(call: CheckedCall, p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor): RnnGradients {
  const g = gradientArrays(call);
  rnnBackward(call, call.activation, rnnArrays(p, x, call), asFloat64(hs), asFloat64(dhs), g);
  return gradientTensors(call, g);
}

export class LoopsBackend implements RnnBackend {
  readonly name = 'loops';
  readonly precision = 'float64';

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
  description: 'float64 reference: plain loops over flat arrays',
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
