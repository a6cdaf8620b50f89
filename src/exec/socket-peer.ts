/**
 * A backend that is already running and serves the exec protocol on a Unix socket (rnn_harness.check in
 * a notebook: the learner's functions stay in the notebook's process), shaped like the child process that
 * ChildChannel drives: the socket is its stdin and stdout, it has no stderr of its own, and "kill" closes
 * the connection. A call that timed out closes it; the next call connects again.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';

class SocketPeer extends EventEmitter {
  readonly stderr = new PassThrough();
  readonly pid = undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly stdin;
  readonly stdout;

  constructor(path: string) {
    super();
    const socket = connect(path);
    this.stdin = socket;
    this.stdout = socket;
    socket.on('error', (e) => this.emit('error', e));
    socket.once('close', () => {
      this.exitCode = 0;
      this.stderr.end();
      this.emit('exit', 0, null);
    });
  }

  kill(): boolean {
    this.stdin.destroy();
    return true;
  }
}

/** A connection to the backend serving on `path`, in the place of a child process. */
export function connectPeer(path: string): ChildProcessWithoutNullStreams {
  return new SocketPeer(path) as unknown as ChildProcessWithoutNullStreams;
}
