/**
 * An X display for headless-gl. When DISPLAY is set it is used as it is. Otherwise the first user starts
 * an Xvfb (which picks a free display number and reports it through -displayfd) and sets DISPLAY for
 * this process; the last user's release stops it.
 *
 * One exception, forced by headless-gl: once it has opened a GL context, ANGLE keeps its X connection
 * for the life of the process, and Xlib aborts the whole process ("XIO: fatal IO error") at the next GL
 * call if that server is gone. So after pinDisplay() a release leaves the server up, and Xvfb, started
 * with -terminate, exits by itself when the process's connection closes, that is when the process
 * exits, however it exits. The Xvfb child is unref'd and never keeps Node alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

let server: { child: ChildProcess; display: string; users: number; pinned: boolean } | undefined;

/** The Xvfb executable on PATH, or undefined. */
export function findXvfb(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, 'Xvfb');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Whether this process started the Xvfb that DISPLAY now points at. */
export const ownsDisplay = () => server !== undefined;

/** Makes sure DISPLAY names a running X server, starting Xvfb if needed; pair with releaseDisplay(). */
export async function acquireDisplay(): Promise<string> {
  if (server !== undefined) {
    server.users++;
    return server.display;
  }
  const existing = process.env.DISPLAY;
  if (existing !== undefined && existing !== '') return existing;
  const xvfb = findXvfb();
  if (xvfb === undefined)
    throw new Error('no X display: DISPLAY is unset and Xvfb is not on PATH (install it: apt-get install -y xvfb)');
  const child = spawn(xvfb, ['-displayfd', '3', '-screen', '0', '64x64x24', '-nolisten', 'tcp', '-terminate'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const number = await new Promise<string>((resolve, reject) => {
    let out = '',
      err = '';
    const timer = setTimeout(() => fail(new Error('Xvfb did not report a display within 10 s')), 10_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill();
      reject(
        new Error(
          `could not start Xvfb (${xvfb}): ${e.message}${err ? `; it said: ${err.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
        ),
      );
    };
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdio[3]?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.trim());
      }
    });
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`it exited with code ${code}`)));
  });
  child.removeAllListeners('exit');
  child.unref();
  for (const s of [child.stderr, child.stdio[3]]) (s as unknown as { unref?: () => void } | null)?.unref?.();
  process.once('exit', () => child.kill());
  server = { child, display: `:${number}`, users: 1, pinned: false };
  process.env.DISPLAY = server.display;
  return server.display;
}

/** Records that headless-gl has connected to the display this process started (see the module comment). */
export function pinDisplay(): void {
  if (server !== undefined) server.pinned = true;
}

/** Drops one user of the display; the last one stops the Xvfb this process started, unless pinned. */
export function releaseDisplay(): void {
  if (server === undefined) return;
  if (--server.users > 0 || server.pinned) return;
  server.child.kill();
  if (process.env.DISPLAY === server.display) delete process.env.DISPLAY;
  server = undefined;
}
