/**
 * `exec`: a backend in another process, in any language, over the exec protocol (docs/PROTOCOL.md).
 * `createBackend('exec', { name, command, args, env, cwd, timeoutMs })` starts the child once; its hello
 * says its precision and what it supports. Calls are validated here before they cross the pipe, inputs
 * travel as raw bytes in the backend's precision, and results are checked for name and shape on the way
 * back. A child that crashed or hung is replaced by a fresh one at the next call.
 */
import {
  ALL_GRADIENT_KEYS,
  checkDeclarations,
  gradientKeys,
  gradientShapes,
  type CapabilityDeclarations,
  type GradientKey,
} from '../core/capabilities.js';
import { GATES } from '../core/kinds.js';
import { delimiter } from 'node:path';
import { describeValue, invalidArgument } from '../core/errors.js';
import { packageFile } from '../core/package-files.js';
import { BACKEND_NAME } from '../registry/checks.js';
import type { BackendEntry } from '../registry/types.js';
import { shellLine } from '../core/shell.js';
import {
  checkBackward,
  checkForward,
  PRECISIONS,
  type CheckedCall,
  type Precision,
  type RnnBackend,
  type RnnGradients,
  type RnnOptions,
  type RnnParams,
} from '../core/rnn.js';
import type { Tensor } from '../core/tensor.js';
import { ChildChannel, type ChildSpec } from '../exec/child.js';
import { ProtocolError, SentMemory, type Frame, type Header, type WireTensor } from '../exec/frames.js';

/** Options of createBackend('exec'): the backend's name, and the program to start (or the socket it serves on). */
export type ExecOptions = {
  /** The backend's name (what --backends selects). */
  name: string;
  /** The program to run, e.g. '/usr/bin/python3'; or, instead, `socket`. */
  command?: string;
  /**
   * A Unix socket on which a backend that is already running serves the protocol (rnn_harness.check in a
   * notebook): connected to instead of starting a program.
   */
  socket?: string;
  args?: readonly string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Time for the child's hello and for each reply (default 60 s). */
  timeoutMs?: number;
};

const FN = "createBackend('exec')";

function checkOptions(
  o: unknown,
): Required<Pick<ExecOptions, 'name' | 'command' | 'args' | 'timeoutMs'>> & ExecOptions {
  if (typeof o !== 'object' || o === null)
    throw invalidArgument(
      FN,
      'options',
      'an object { name, command, args?, env?, cwd?, timeoutMs? }',
      describeValue(o),
    );
  const { name, command, socket, args = [], env, cwd, timeoutMs = 60_000 } = o as ExecOptions;
  if (typeof name !== 'string' || !BACKEND_NAME.test(name))
    throw invalidArgument(FN, 'options.name', 'a backend name (letters, digits, ".", "_", "-")', describeValue(name));
  if (socket !== undefined) {
    if (typeof socket !== 'string' || socket === '' || (command !== undefined && command !== ''))
      throw invalidArgument(
        FN,
        'options.socket',
        'the path of a Unix socket, given instead of command',
        describeValue(socket),
      );
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1)
      throw invalidArgument(FN, 'options.timeoutMs', 'an integer >= 1', describeValue(timeoutMs));
    return { name, command: '', socket, args: [], timeoutMs };
  }
  if (typeof command !== 'string' || command.trim() === '')
    throw invalidArgument(FN, 'options.command', 'the program to run (or a socket)', describeValue(command));
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string'))
    throw invalidArgument(FN, 'options.args', 'an array of strings', describeValue(args));
  if (
    env !== undefined &&
    (typeof env !== 'object' || env === null || Object.values(env).some((v) => typeof v !== 'string'))
  ) {
    throw invalidArgument(FN, 'options.env', 'an object of strings', describeValue(env));
  }
  if (cwd !== undefined && typeof cwd !== 'string')
    throw invalidArgument(FN, 'options.cwd', 'a folder', describeValue(cwd));
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1)
    throw invalidArgument(FN, 'options.timeoutMs', 'an integer >= 1', describeValue(timeoutMs));
  return {
    name,
    command,
    args,
    timeoutMs,
    ...(env === undefined ? {} : { env }),
    ...(cwd === undefined ? {} : { cwd }),
  };
}

/** The hello's declarations, checked like an entry's. */
function declarationsOf(
  label: string,
  hello: Header,
): { precision: Precision; engine: string | undefined } & CapabilityDeclarations {
  if (!PRECISIONS.includes(hello.precision as Precision)) {
    throw new ProtocolError(
      `${label}: the hello's precision must be "float64" or "float32"; got ${JSON.stringify(hello.precision)}`,
    );
  }
  const d = checkDeclarations(`${label}: hello`, 'hello', hello as CapabilityDeclarations);
  return {
    precision: hello.precision as Precision,
    engine: typeof hello.engine === 'string' ? hello.engine : undefined,
    ...d,
  };
}

export class ExecBackend implements RnnBackend {
  readonly name: string;
  readonly precision: Precision;
  readonly activations?: CapabilityDeclarations['activations'];
  readonly cells?: CapabilityDeclarations['cells'];
  readonly gruResetBefore?: boolean;
  readonly gradients?: readonly GradientKey[];
  readonly lastStepOnly?: boolean;
  readonly initialState?: boolean;
  /** Every call is validated here, before it crosses the pipe (checkForward / checkBackward). */
  readonly validatesInput = true;
  /** What the child says it computes with (library versions, BLAS), for reports. */
  readonly engine: string | undefined;
  /** Children started so far: 1, plus one per crash or hang. */
  starts = 1;
  /** What the current child holds, when its hello says it keeps what it receives ("reuse"). */
  private readonly sent = new SentMemory();

  private constructor(
    private readonly spec: ChildSpec,
    private channel: ChildChannel,
    private disposed = false,
  ) {
    const d = declarationsOf(spec.label, channel.hello);
    this.name = spec.label;
    this.precision = d.precision;
    this.engine = d.engine;
    Object.assign(this, Object.fromEntries(Object.entries(d).filter(([k]) => k !== 'precision' && k !== 'engine')));
  }

  static async create(options: unknown): Promise<ExecBackend> {
    const o = checkOptions(options);
    // The Python adapter (rnn_harness.py) is importable in every child; a PYTHONPATH of the caller's comes first.
    const pythonPath = [process.env.PYTHONPATH, o.env?.PYTHONPATH, packageFile('python')]
      .filter((p) => p !== undefined && p !== '')
      .join(delimiter);
    const spec: ChildSpec = {
      command: o.command,
      args: o.args,
      timeoutMs: o.timeoutMs,
      label: o.name,
      env: { ...o.env, PYTHONPATH: pythonPath },
      ...(o.cwd && { cwd: o.cwd }),
      ...(o.socket && { socket: o.socket }),
    };
    const channel = await ChildChannel.start(spec);
    try {
      return new ExecBackend(spec, channel);
    } catch (e) {
      await channel.close();
      throw e;
    }
  }

  /** The process id of the current child. */
  get pid(): number | undefined {
    return this.channel.pid;
  }

  /** Settles when the current child has exited: after a crash, a hang it was killed for, or dispose(). */
  get childExited(): Promise<void> {
    return this.channel.exited;
  }

  /** The live channel; a fresh child after a crash or a hang. */
  private async live(): Promise<ChildChannel> {
    if (this.disposed) throw new Error(`${this.name}: used after dispose()`);
    if (!this.channel.alive) {
      this.sent.clear();
      this.channel = await ChildChannel.start(this.spec);
      this.starts++;
    }
    return this.channel;
  }

  /**
   * A tensor as the wire carries it: in the backend's precision, and `same` when the child holds it already.
   * Only the inputs a backward shares with its forward are worth remembering; dhs is new at every call.
   */
  private wire(name: string, t: Tensor): WireTensor {
    const want = this.precision === 'float32' ? Float32Array : Float64Array;
    const w = { name, shape: t.shape, data: t.data instanceof want ? t.data : want.from(t.data) };
    return this.channel.hello.reuse === true && name !== 'dhs' ? this.sent.mark(w) : w;
  }

  private inputs(p: RnnParams, x: Tensor, call: CheckedCall): WireTensor[] {
    const list = [this.wire('wx', p.wx), this.wire('wh', p.wh), this.wire('b', p.b), this.wire('x', x)];
    if (call.h0 !== undefined && this.initialState !== false) list.push(this.wire('h0', call.h0));
    // Protocol 2: a GRU's recurrent bias and an LSTM's initial cell state, when given (absent: zeros).
    if (call.cell === 'gru' && p.bh !== undefined) list.push(this.wire('bh', p.bh));
    if (call.cell === 'lstm' && call.c0 !== undefined && this.initialState !== false)
      list.push(this.wire('c0', call.c0));
    return list;
  }

  /** A request's header: its type, the activation, and for a gated call (protocol 2) the cell and resetAfter. */
  private header(type: string, call: CheckedCall, more: Record<string, unknown> = {}): Header {
    const gated =
      call.cell === 'rnn' ? {} : { cell: call.cell, ...(call.cell === 'gru' ? { resetAfter: call.resetAfter } : {}) };
    return { type, ...more, activation: call.activation, ...gated };
  }

  /** The tensor `name` of a reply, of exactly `shape`, in the backend's precision. */
  private output(f: Frame, what: string, name: string, shape: number[]): Tensor {
    const t = f.tensors.get(name);
    if (t === undefined)
      throw new ProtocolError(
        `${this.name}.${what}: the reply has no tensor "${name}" (it has: ${[...f.tensors.keys()].join(', ') || 'none'})`,
      );
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ProtocolError(
        `${this.name}.${what}: "${name}" must have shape [${shape.join(',')}]; got [${t.shape.join(',')}]`,
      );
    }
    const want = this.precision === 'float32' ? Float32Array : Float64Array;
    return { shape, data: t.data instanceof want ? t.data : want.from(t.data) };
  }

  async forward(p: RnnParams, x: Tensor, o?: RnnOptions): Promise<Tensor> {
    const call = checkForward(`${this.name}.forward`, p, x, o);
    const channel = await this.live();
    const f = await channel.request(this.header('forward', call), this.inputs(p, x, call), [
      { name: 'hs', dtype: this.precision, shape: [call.B, call.T, call.H] },
    ]);
    return this.output(f, 'forward', 'hs', [call.B, call.T, call.H]);
  }

  async backward(p: RnnParams, x: Tensor, hs: Tensor, dhs: Tensor, o?: RnnOptions): Promise<RnnGradients> {
    const call = checkBackward(`${this.name}.backward`, p, x, hs, dhs, o);
    const channel = await this.live();
    // A child whose backward does not read hs (it runs the forward pass again) is not sent it.
    const hsToo = channel.hello.readsHs === false ? [] : [this.wire('hs', hs)];
    const shapes = gradientShapes({ ...call, G: GATES[call.cell] * call.H });
    // The declared gradients of this call's cell: the SimpleRNN's five, and bh (GRU) or c0 (LSTM).
    const ofCell = gradientKeys(call.cell);
    const declared = (this.gradients ?? ALL_GRADIENT_KEYS).filter((k) => ofCell.includes(k));
    const expected = declared.map((k) => ({ name: k, dtype: this.precision, shape: shapes[k] }));
    const f = await channel.request(
      this.header('backward', call),
      [...this.inputs(p, x, call), ...hsToo, this.wire('dhs', dhs)],
      expected,
    );
    // Only what the child declares comes back; the harness neither reads nor checks the rest.
    return Object.fromEntries(declared.map((k) => [k, this.output(f, 'backward', k, shapes[k])])) as RnnGradients;
  }

  /**
   * The child's own time for each of `repeat` calls of `op` (forward, or forward + backward), measured in
   * the child: what the call costs without the pipe.
   */
  async timeInProcess(
    op: 'forward' | 'train',
    p: RnnParams,
    x: Tensor,
    dhs: Tensor,
    o: RnnOptions | undefined,
    repeat: number,
  ): Promise<number[]> {
    const call = checkBackward(`${this.name}.time`, p, x, dhs, dhs, o);
    const channel = await this.live();
    const f = await channel.request(this.header('time', call, { op, repeat }), [
      ...this.inputs(p, x, call),
      this.wire('dhs', dhs),
    ]);
    const ms = f.header.ms;
    if (!Array.isArray(ms) || ms.length !== repeat || ms.some((v) => typeof v !== 'number' || !(v >= 0))) {
      throw new ProtocolError(
        `${this.name}.time: the reply's "ms" must be ${repeat} times in milliseconds; got ${JSON.stringify(ms)?.slice(0, 80)}`,
      );
    }
    return ms as number[];
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.channel.close();
  }
}

/** Entries whose precision and capabilities come from the child's hello rather than from the entry. */
const fromHello = new WeakSet<object>();
export const declaresInHello = (entry: object): boolean => fromHello.has(entry);

/** The entry behind `--exec NAME=COMMAND`: it starts the child when a command creates it. */
export function execEntry(options: ExecOptions): BackendEntry {
  const o = checkOptions(options);
  const entry: BackendEntry = {
    name: o.name,
    // A placeholder: the child's hello says what it computes in, and the created backend's word wins.
    precision: 'float64',
    validatesInput: true,
    description: o.socket === undefined ? `exec: ${shellLine([o.command, ...o.args])}` : `exec: served on ${o.socket}`,
    create: () => ExecBackend.create(o),
  };
  fromHello.add(entry);
  return entry;
}
