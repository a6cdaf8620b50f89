/**
 * The exec protocol's fast path for payloads: two files, one per direction, that both processes hold
 * open. The harness creates them (in /dev/shm, which is memory, when it exists), deletes their names at
 * once (so nothing is left behind however either process ends) and hands them to the child as file
 * descriptors 3 (harness to child) and 4 (child to harness). A frame with `"shm": true` carries its
 * header on the pipe and its bytes at the start of the file of its direction: one copy per byte on each
 * side, where the pipe takes a kernel copy each way and a wake-up per 64 KiB.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireTensor } from './frames.js';

let serial = 0;

export class SharedFiles {
  /** Harness to child (the child's fd 3), child to harness (its fd 4). */
  readonly toChild: number;
  readonly fromChild: number;
  private size = 0;

  constructor() {
    const dir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    const open = (what: string) => {
      const path = join(dir, `rnn-harness-${process.pid}-${serial++}-${what}`);
      const fd = openSync(path, 'w+', 0o600);
      unlinkSync(path);
      return fd;
    };
    this.toChild = open('in');
    this.fromChild = open('out');
  }

  /** Writes the tensors' bytes one after another from the start of the file to the child. */
  write(tensors: readonly WireTensor[]): number {
    const total = tensors.reduce((n, t) => n + t.data.byteLength, 0);
    if (total > this.size) {
      ftruncateSync(this.toChild, total);
      this.size = total;
    }
    let at = 0;
    for (const t of tensors) {
      writeSync(this.toChild, t.data, 0, t.data.byteLength, at);
      at += t.data.byteLength;
    }
    return total;
  }

  /** Reads the reply's tensors, in order, from the start of the file from the child. */
  read(tensors: Iterable<WireTensor>, bytes: number): void {
    const available = fstatSync(this.fromChild).size;
    if (available < bytes)
      throw new Error(`the reply needs ${bytes} bytes in the shared file, which holds ${available}`);
    let at = 0;
    for (const t of tensors) {
      const n = t.data.byteLength;
      for (let done = 0; done < n;) done += readSync(this.fromChild, t.data, done, n - done, at + done);
      at += n;
    }
  }

  close(): void {
    for (const fd of [this.toChild, this.fromChild]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}
