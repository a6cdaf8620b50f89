/**
 * Backends in another process (--exec, createBackend('exec')): the notebook's Python checked, the faults a
 * child can have each turned into a failed row with the child's stderr, and no child left behind.
 * Needs Debian's python3-numpy (scripts/setup installs it); RNN_HARNESS_NO_PYTHON=1 skips on purpose.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'shell-quote';
import { main } from '../src/cli/main.js';
import { createBackend, tensor, type RnnBackend } from '../src/index.js';
import type { ExecBackend } from '../src/backends/exec.js';

const PY = '/usr/bin/python3';
const skip = process.env.RNN_HARNESS_NO_PYTHON === '1';
if (!skip) {
  try {
    execFileSync(PY, ['-c', 'import numpy']);
  } catch {
    throw new Error(
      `${PY} cannot import numpy: run bash scripts/setup (apt-get install python3-numpy), or set RNN_HARNESS_NO_PYTHON=1 to skip these tests on purpose`,
    );
  }
}

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const NOTEBOOK = `notebook=${PY} examples/python/notebook_rnn.py`;
const PROBLEM3 = `problem3=${PY} examples/python/notebook_problem3.py`;
const FAULTS = new URL('./fixtures/exec/faults.py', import.meta.url).pathname;
const fault = (mode: string) => `${mode}=${PY} ${FAULTS} ${mode}`;
/**
 * Whether `pid` is a running process: absent from `ps`, or a zombie (dead, not yet reaped by whoever inherited it), is
 * not.
 */
const alive = (pid: number) => {
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)])
      .toString()
      .trim()
      .startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
};

/** Whether `pid` is gone within `ms`, looking every 10 ms. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10)))
    if (!alive(pid)) return true;
  return !alive(pid);
}

describe.skipIf(skip)("the notebook's Python through --exec", () => {
  it('should pass check on the correct SimpleRNN', async () => {
    const r = await run('check', '--exec', NOTEBOOK, '--backends', 'notebook');
    expect(r.code, r.out).toBe(0);
    for (const q of ['problem2', 'hs', 'dwx', 'dwh', 'db', 'dx', 'dh0', 'peer hs', 'peer grads'])
      expect(r.out).toMatch(new RegExp(`^notebook\\s+${q}\\s.*ok$`, 'm'));
    expect(r.out).toMatch(/^notebook\s+relu\s.*not supported$/m);
  });

  it("should fail check on the notebook's Problem 3 backward, naming each wrong gradient, and show what it does not provide", async () => {
    const r = await run('check', '--exec', PROBLEM3, '--backends', 'problem3');
    expect(r.code).toBe(1);
    for (const q of ['dwx', 'dwh', 'db']) expect(r.out).toMatch(new RegExp(`^problem3\\s+${q}\\s.*FAIL$`, 'm'));
    expect(r.out).toMatch(/^problem3\s+hs\s.*ok$/m);
    for (const q of ['dx', 'dh0', 'dhs before the last step'])
      expect(r.out).toMatch(new RegExp(`^problem3\\s+${q}\\s.*not provided$`, 'm'));
    expect(r.out).toMatch(/^problem3\s+h0 given\s.*not supported$/m);
  });

  it('should fuzz Problem 3 to a small case whose replay line reproduces it verbatim', async () => {
    const r = await run('fuzz', '--exec', PROBLEM3, '--backends', 'problem3', '--seed', '5', '--runs', '100');
    expect(r.code).toBe(1);
    const shape = /counterexample: (B=(\d+) T=(\d+) F=(\d+) H=(\d+).*)$/m.exec(r.out);
    expect(Number(shape?.[2]) * Number(shape?.[3]) * Number(shape?.[4]) * Number(shape?.[5])).toBeLessThanOrEqual(12);
    expect(r.out).not.toMatch(/passes on a freshly created backend/);
    const line = /replay: (rnn-harness fuzz .*)$/m.exec(r.out)?.[1] as string;
    expect(line).toContain(`--exec '${PROBLEM3}'`);
    const replay = await run(...(parse(line) as string[]).slice(1));
    expect(replay.code).toBe(1);
    expect(replay.out).toContain(`counterexample: ${shape?.[1]}`);
  });

  it("should pass a learner's own NumPy functions behind the three-line adapter, with what they leave out shown", async () => {
    const mine = `mine=${PY} examples/python/many_to_one.py`;
    const r = await run('check', '--exec', mine, '--backends', 'mine');
    expect(r.code, r.out).toBe(0);
    for (const q of ['dwx', 'dwh', 'db']) expect(r.out).toMatch(new RegExp(`^mine\\s+${q}\\s.*ok$`, 'm'));
    for (const q of ['dx', 'dh0', 'dhs before the last step'])
      expect(r.out).toMatch(new RegExp(`^mine\\s+${q}\\s.*not provided$`, 'm'));
    const f = await run('fuzz', '--exec', mine, '--backends', 'mine', '--seed', '2', '--runs', '60');
    expect(f.code, f.out).toBe(0);
  });

  it('should pass fuzz on the correct SimpleRNN', async () => {
    const r = await run('fuzz', '--exec', NOTEBOOK, '--backends', 'notebook', '--seed', '9', '--runs', '60');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^ok {4}agreement on notebook: 60 cases/m);
  });
});

describe.skipIf(skip)('a child that speaks only the base protocol', () => {
  it('should pass check forward only, in pure Python without NumPy, with neither fast path', async () => {
    const minimal = new URL('./fixtures/exec/minimal_child.py', import.meta.url).pathname;
    const r = await run('check', '--exec', `minimal=${PY} ${minimal}`, '--backends', 'minimal');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^minimal\s+hs\s.*ok$/m);
    expect(r.out).toMatch(/^minimal\s+peer hs\s.*ok$/m);
    expect(r.out).toMatch(/^minimal\s+dwx\s.*the backend declares gradients: none \(forward only\)\s+not provided$/m);
  });
});

describe.skipIf(skip)('a child that misbehaves', () => {
  const check = (mode: string, ...extra: string[]) =>
    run('check', '--exec', fault(mode), '--backends', mode, '--timeout-ms', '1500', ...extra);

  it.each([
    [
      'exit-at-start',
      /^exit-at-start\s+create\s.*the child exited with status 3; its stderr ends: this child needs a licence file it cannot find\s+FAIL$/m,
    ],
    [
      'garbage',
      /^garbage\s+create\s.*not a protocol frame: expected a JSON header line, got "Hello! Loading my model\.\.\."\s+FAIL$/m,
    ],
    [
      'version',
      /^version\s+create\s.*the child speaks protocol version 3; this harness speaks versions 1 and 2 \(2 for the gated cells\)\s+FAIL$/m,
    ],
    [
      'wrong-shape',
      /^wrong-shape\s+hs\s.*wrong-shape\.forward: "hs" must have shape \[1,3,4\]; got \[1,2,4\]\s+FAIL$/m,
    ],
    ['nan', /^nan\s+hs\s+Infinity\s.*FAIL$/m],
    ['hang', /^hang\s+problem2\s.*hang\.forward: no answer within 1500 ms \(--timeout-ms\)\s+FAIL$/m],
  ])('should make %s a failed row with the reason, and check loops all the same', async (mode, row) => {
    const r = await run('check', '--exec', fault(mode), '--backends', `loops,${mode}`, '--timeout-ms', '1500');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(row);
    expect(r.out).toMatch(/^loops\s+problem2\s.*ok$/m);
  });

  it('should make a command that does not exist a failed row', async () => {
    const r = await run('check', '--exec', 'ghost=/nonexistent/ghost --flag', '--backends', 'ghost');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ghost\s+create\s.*ghost: could not start "\/nonexistent\/ghost": no such command\s+FAIL$/m);
  });

  it('should keep print() and writes to fd 1 off the protocol stream', async () => {
    const r = await check('chatty');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^chatty\s+hs\s.*ok$/m);
  });

  it('should refuse --exec without NAME= or with shell operators, exit 2', async () => {
    expect((await run('check', '--exec', 'python3 x.py')).err).toMatch(/--exec must be NAME=COMMAND/);
    const piped = await run('check', '--exec', 'x=python3 a.py | tee log');
    expect(piped.code).toBe(2);
    expect(piped.err).toMatch(
      /--exec x: COMMAND must be a program and its arguments, without shell operators or globs/,
    );
  });
});

describe.skipIf(skip)("an exec backend's child", () => {
  const made: RnnBackend[] = [];
  const exec = async (mode: string, timeoutMs = 5000) => {
    const b = await createBackend('exec', { name: mode, command: PY, args: [FAULTS, mode], timeoutMs });
    made.push(b);
    return b as ExecBackend;
  };
  afterAll(async () => {
    for (const b of made) await b.dispose();
  });
  const p = {
    wx: tensor([2, 3], [0.1, 0.2, 0.3, -0.1, -0.2, -0.3]),
    wh: tensor([3, 3]),
    b: tensor([3], [0.1, 0, -0.1]),
  };
  const x = tensor([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);

  it("should reject a call the child fails with the child's message, and stay in service", async () => {
    const b = await exec('raises');
    await expect(b.forward(p, x)).rejects.toThrow(
      /raises: forward failed in the child: ValueError: shapes \(2,3\) and \(4,4\) not aligned/,
    );
    expect((await b.forward(p, x)).shape).toEqual([2, 2, 3]);
    expect(b.starts).toBe(1);
  });

  it('should reject the call in flight when the child crashes, with its stderr, and start a fresh child for the next', async () => {
    const b = await exec('crash');
    const first = b.pid as number;
    await b.forward(p, x);
    await expect(b.forward(p, x)).rejects.toThrow(
      /crash: the child exited with status 7; its stderr ends: about to fall over/,
    );
    expect((await b.forward(p, x)).shape).toEqual([2, 2, 3]);
    expect(b.starts).toBe(2);
    expect(b.pid).not.toBe(first);
    expect(alive(first)).toBe(false);
  });

  it('should kill a child that does not answer in time, and answer the next call from a fresh one', async () => {
    const b = await exec('hang', 800);
    const first = b.pid as number;
    const gone = b.childExited;
    await expect(b.forward(p, x)).rejects.toThrow(/hang: forward: no answer within 800 ms/);
    await gone;
    expect(alive(first)).toBe(false);
    await expect(b.forward(p, x)).rejects.toThrow(/no answer within 800 ms/);
    expect(b.starts).toBe(2);
  });

  it('should leave no child behind after dispose()', async () => {
    const b = await exec('chatty');
    const pid = b.pid as number;
    expect(alive(pid)).toBe(true);
    await b.dispose();
    expect(alive(pid)).toBe(false);
  });

  it('should leave no child behind when the process that started it exits without dispose()', async () => {
    const index = new URL('../dist/src/index.js', import.meta.url).pathname;
    const orphan = new URL('./fixtures/exec/orphan.mjs', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [orphan, index, FAULTS]);
    const { pid } = JSON.parse(stdout) as { pid: number };
    // Not our child, so no exit event reaches us: wait until it is gone, for at most 5 s.
    expect(await goneWithin(pid, 5000)).toBe(true);
  });

  it('should not change its inputs, and refuse bad ones before they cross the pipe', async () => {
    const b = await exec('chatty');
    const before = JSON.stringify([p, x].map((t) => Object.values(t).map((v) => ('data' in v ? [...v.data] : v))));
    await b.forward(p, x);
    expect(JSON.stringify([p, x].map((t) => Object.values(t).map((v) => ('data' in v ? [...v.data] : v))))).toBe(
      before,
    );
    await expect(b.forward(p, tensor([2, 2, 5]))).rejects.toThrow(
      /chatty\.forward: x\.shape\[2\] = 5 must equal wx\.shape\[0\] = 2 \(features\)/,
    );
  });
});

describe.skipIf(skip)('a Python exception, and rnn_harness.check from a plain Python process', () => {
  const LEARNER = new URL('./fixtures/exec/learner.py', import.meta.url).pathname;
  const learner = async (mode: string) => {
    const r = await promisify(execFile)(PY, [LEARNER, mode], { encoding: 'utf8' }).catch((e: { stdout: string }) => e);
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT ')) ?? 'RESULT {}';
    return {
      out: r.stdout,
      result: JSON.parse(line.slice(7)) as { ok: boolean; rows: number; failed: Record<string, unknown>[] },
    };
  };

  it("should show the learner's file, line and code, and what the call printed, in check's text and JSON", async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'rnn-harness-typo-')), 'check.json');
    const r = await run('check', '--exec', `typo=${PY} ${LEARNER} typo --serve`, '--backends', 'typo', '--json', file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /backward failed in the child: NameError: name 'undefined_name' is not defined \(at learner\.py:\d+, in typo\)/,
    );
    expect(r.out).toMatch(/File ".*learner\.py", line \d+, in typo\n\s+g\['b'\] = g\['b'\] \+ undefined_name/);
    expect(r.out).toContain('| backward: x has shape (1, 3, 2)');
    expect(r.out).not.toContain('rnn_harness.py');
    const json = JSON.parse(await readFile(file, 'utf8'));
    const row = json.rows.find((x: { quantity: string }) => x.quantity === 'dwx');
    expect(row.traceback).toMatch(/learner\.py", line \d+, in typo/);
    expect(row.output).toContain('backward: x has shape');
  });

  it('should run check on a right backward from Python, print the table and return ok', async () => {
    const { out, result } = await learner('right');
    expect(out).toMatch(/^right\s+dwh\s.*ok$/m);
    expect(out).toContain('all 14 checks passed; 1 left out');
    expect(result).toMatchObject({ ok: true, failed: [] });
  });

  it('should run check on a wrong backward from Python and return what failed, where and when', async () => {
    const { out, result } = await learner('wrong');
    expect(out).toMatch(/^wrong\s+db\s.*FAIL$/m);
    expect(out).toContain('db fails only when B>1');
    expect(result.ok).toBe(false);
    expect(result.failed).toEqual([
      expect.objectContaining({
        quantity: 'db',
        failsWhen: ['B>1'],
        worst: expect.objectContaining({ index: [expect.any(Number)] }),
      }),
    ]);
  });

  it('should return the traceback and the printed lines of a backward that raises', async () => {
    const { result } = await learner('typo');
    expect(result.ok).toBe(false);
    expect(result.failed[0]?.traceback).toMatch(/learner\.py", line \d+, in typo/);
    expect(result.failed[0]?.output).toContain('backward: x has shape');
  });
});
