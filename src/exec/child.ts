/**
 * One child process speaking the exec protocol: started, greeted, asked one request at a time, and
 * stopped. A child that dies, hangs or writes garbage fails the call in flight with the reason and the
 * tail of its stderr, and is gone: the backend starts a fresh one for the next call. Every live child is
 * killed when this process exits, so none is left behind.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  encodeFrame,
  FrameReader,
  frameHeader,
  PROTOCOL_VERSION,
  PROTOCOL_VERSIONS,
  ProtocolError,
  type Frame,
  type Header,
  type WireTensor,
} from './frames.js';
import { SharedFiles } from './shared-files.js';
import { connectPeer } from './socket-peer.js';

export type ChildSpec = {
  command: string;
  args: readonly string[];
  /** A Unix socket on which a running backend serves the protocol: connect to it instead of starting `command`. */
  socket?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Time for the hello and for each reply. */
  timeoutMs: number;
  /** Used in messages: the backend's name. */
  label: string;
};

/** Children that are running, killed on exit. */
const live = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;
function track(p: ChildProcessWithoutNullStreams): void {
  live.add(p);
  p.once('exit', () => live.delete(p));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    const killAll = () => {
      for (const c of live) c.kill('SIGKILL');
    };
    process.once('exit', killAll);
    // Interrupted: the children go first, then the signal takes its usual course.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        killAll();
        process.kill(process.pid, signal);
      });
    }
  }
}

/** How many children this process has running (for tests and diagnostics). */
export const liveChildren = (): number[] => [...live].flatMap((p) => (p.pid === undefined ? [] : [p.pid]));

const STDERR_KEEP = 4096;

export class ChildChannel {
  readonly hello: Header;
  private readonly reader = new FrameReader();
  private waiting: { resolve: (f: Frame) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private stderr = '';
  /** Characters of stderr received so far, to cut out what came during one call. */
  private stderrTotal = 0;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  /** Set once the hello says the child reads and writes payloads in the shared files. */
  private shm = false;

  /** Settles when the child's process has exited (or the connection closed). */
  readonly exited: Promise<void>;

  private constructor(
    private readonly spec: ChildSpec,
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly files: SharedFiles,
    hello: Header,
  ) {
    this.hello = hello;
    this.exited =
      proc.exitCode !== null || proc.signalCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => proc.once('exit', () => resolve()));
  }

  /** Starts the child and waits for its hello; throws with the reason when it does not come. */
  static async start(spec: ChildSpec): Promise<ChildChannel> {
    let proc: ChildProcessWithoutNullStreams;
    const files = new SharedFiles();
    try {
      const stdio = ['pipe', 'pipe', 'pipe', files.toChild, files.fromChild] as const;
      proc =
        spec.socket !== undefined
          ? connectPeer(spec.socket)
          : (spawn(spec.command, [...spec.args], {
              cwd: spec.cwd,
              env: { ...process.env, ...spec.env },
              stdio: stdio as never,
            }) as ChildProcessWithoutNullStreams);
    } catch (e) {
      files.close();
      throw new Error(`${spec.label}: could not start ${JSON.stringify(spec.command)}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    track(proc);
    proc.once('exit', () => files.close());
    proc.once('error', () => files.close());
    const channel = new ChildChannel(spec, proc, files, { type: 'hello' });
    channel.attach();
    const hello = await channel.receive(`${spec.label}: handshake`);
    if (hello.header.type !== 'hello')
      channel.fail(
        new ProtocolError(`${spec.label}: the child's first frame must be its hello; got "${hello.header.type}"`),
      );
    else if (!PROTOCOL_VERSIONS.includes(hello.header.protocol as number)) {
      channel.fail(
        new ProtocolError(
          `${spec.label}: the child speaks protocol version ${JSON.stringify(hello.header.protocol)}; this harness speaks versions ${PROTOCOL_VERSIONS.join(' and ')} (${PROTOCOL_VERSION} for the gated cells)`,
        ),
      );
    } else if (hello.header.protocol === 1 && hello.header.cells !== undefined) {
      channel.fail(
        new ProtocolError(
          `${spec.label}: the hello declares "cells" under protocol version 1; cells came with version ${PROTOCOL_VERSION}: say "protocol":${PROTOCOL_VERSION}`,
        ),
      );
    }
    if (channel.failure !== undefined) throw channel.failure;
    (channel as { hello: Header }).hello = hello.header;
    channel.shm = Array.isArray(hello.header.transports) && hello.header.transports.includes('shm');
    return channel;
  }

  private attach(): void {
    const { proc, spec } = this;
    proc.stdout.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.reader.push(chunk);
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      for (const f of frames) this.deliver(f);
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stderrTotal += text.length;
      this.stderr = (this.stderr + text).slice(-STDERR_KEEP);
    });
    proc.on('error', (e: NodeJS.ErrnoException) => {
      if (spec.socket !== undefined) {
        this.fail(
          new Error(
            `${spec.label}: could not connect to ${spec.socket}: ${e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'nothing serves there' : e.message}`,
          ),
        );
        return;
      }
      const why = e.code === 'ENOENT' ? 'no such command' : e.code === 'EACCES' ? 'not executable' : e.message;
      this.fail(new Error(`${spec.label}: could not start ${JSON.stringify(spec.command)}: ${why}`));
    });
    proc.on('exit', (code, signal) => {
      this.fail(
        new Error(
          `${spec.label}: ${spec.socket !== undefined ? 'the backend closed the connection' : `the child exited${signal ? ` on ${signal}` : ` with status ${code}`}`}`,
        ),
      );
    });
    // Writing to a child that is gone raises EPIPE here; the exit handler reports it.
    proc.stdin.on('error', () => {});
  }

  /** What the child wrote on stderr since `mark` (as much of it as is kept). */
  private stderrSince(mark: number): string {
    const n = Math.min(this.stderrTotal - mark, this.stderr.length);
    return n <= 0 ? '' : this.stderr.slice(this.stderr.length - n);
  }

  /** The reason with the child's last words, for messages. */
  private withStderr(e: Error): Error {
    const tail = this.stderr.trim();
    if (tail.length === 0 || e.message.includes('stderr:')) return e;
    const err = new (e.constructor as ErrorConstructor)(`${e.message}; its stderr ends: ${tail.slice(-1000)}`);
    return err;
  }

  private deliver(f: Frame): void {
    const w = this.waiting;
    if (w === undefined) {
      this.fail(new ProtocolError(`${this.spec.label}: the child sent a "${f.header.type}" frame nobody asked for`));
      return;
    }
    this.waiting = undefined;
    w.resolve(f);
  }

  /** Marks the channel broken, rejects the call in flight and kills the child. */
  private fail(e: Error): void {
    if (this.failure === undefined) this.failure = e;
    const w = this.waiting;
    this.waiting = undefined;
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    // Let the stderr that explains the failure arrive before it is quoted.
    if (w !== undefined) setTimeout(() => w.reject(this.withStderr(this.failure as Error)), 20);
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  private receive(what: string): Promise<Frame> {
    if (this.failure !== undefined) return Promise.reject(this.withStderr(this.failure));
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new Error(`${what}: no answer within ${this.spec.timeoutMs} ms`)),
        this.spec.timeoutMs,
      );
      this.waiting = {
        resolve: (f) => (clearTimeout(timer), resolve(f)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  /**
   * Sends one request and resolves with its result frame; an error frame rejects with the child's text.
   * `expected`: the tensors the reply should carry, whose arrays are made ready while the child works.
   */
  request(
    header: Omit<Header, 'id' | 'tensors' | 'bytes'>,
    tensors: readonly WireTensor[] = [],
    expected: Parameters<FrameReader['prepare']>[0] = [],
  ): Promise<Frame> {
    const run = this.queue.then(async () => {
      const id = this.nextId++;
      const what = `${this.spec.label}: ${header.type}`;
      const mark = this.stderrTotal;
      const reply = this.receive(what);
      if (this.shm && tensors.length > 0) {
        // The bytes go into the shared file; only the header line crosses the pipe.
        const { head, payload } = frameHeader({ ...header, id, shm: true }, tensors);
        this.files.write(payload);
        this.proc.stdin.write(head);
      } else {
        for (const b of encodeFrame({ ...header, id }, tensors)) this.proc.stdin.write(b);
      }
      this.reader.prepare(expected);
      const f = await reply;
      if (f.header.shm === true) {
        try {
          this.files.read(f.tensors.values(), f.header.bytes ?? 0);
        } catch (e) {
          this.fail(new ProtocolError(`${what}: ${(e as Error).message}`));
        }
      }
      if (f.header.id !== id)
        this.fail(new ProtocolError(`${what}: the reply has id ${JSON.stringify(f.header.id)}; expected ${id}`));
      else if (f.header.type === 'error') {
        const where = typeof f.header.where === 'string' ? ` (at ${f.header.where})` : '';
        const e = new Error(`${what} failed in the child: ${String(f.header.message)}${where}`);
        if (typeof f.header.traceback === 'string') Object.assign(e, { traceback: f.header.traceback });
        // What the child printed during the call: its own account, or the stderr that came since the request.
        const output = typeof f.header.output === 'string' ? f.header.output : this.stderrSince(mark);
        if (output.trim() !== '') Object.assign(e, { output });
        throw e;
      } else if (f.header.type !== 'result')
        this.fail(new ProtocolError(`${what}: expected a "result" or "error" frame; got "${f.header.type}"`));
      if (this.failure !== undefined) throw this.withStderr(this.failure);
      return f;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Asks the child to shut down, waits up to 2 s, then kills it. */
  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    if (this.failure === undefined) {
      const bye = this.request({ type: 'shutdown' }).catch(() => undefined);
      await Promise.race([bye, new Promise((r) => setTimeout(r, 2000))]);
      this.proc.stdin.end();
    }
    const killer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(killer);
  }
}
