/**
 * A campaign in parallel on one machine: the same `rnn-harness` command in N child processes, each given
 * its part of the work, each writing its report as JSON; the caller merges the parts (run/merge.ts). Two
 * processes here scale by 1.9–2.0x where threads in one process gave 0.8–1.6x, as the host's load moved.
 *
 * A child that crashes, or stops saying anything for longer than it may (a backend stuck in a loop that
 * never yields, so that its own time limit never fires), is killed and comes back with the reason and the
 * end of its stderr; the others finish. No child outlives this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeValue, invalidArgument } from '../core/errors.js';
import { packageFile } from '../core/package-files.js';

/** The default number of jobs: the machine's cores. */
export const defaultJobs = (): number => Math.max(1, cpus().length);

/**
 * How much estimated work a campaign needs before 'auto' splits it: a child costs about half a second to
 * start and load its backends, so a check of one plug-in, or the bug catalog, runs faster in one process.
 */
export const AUTO_JOBS_MIN_MS = 10_000;

/** A `jobs` option: a number of child processes, or 'auto' (the cores, for a campaign of at least AUTO_JOBS_MIN_MS). */
export type JobsOption = number | 'auto';

/** Checks a `jobs` option: an integer >= 1 or 'auto' (undefined means 1 in the API). */
export function checkJobs(fn: string, jobs: unknown): JobsOption {
  if (jobs === undefined) return 1;
  if (jobs === 'auto') return jobs;
  if (typeof jobs !== 'number' || !Number.isSafeInteger(jobs) || jobs < 1)
    throw invalidArgument(fn, 'options.jobs', "an integer >= 1 or 'auto'", describeValue(jobs));
  return jobs;
}

/** How many jobs to run, at most `parts`: 'auto' gives the cores when the estimated work is large enough, else 1. */
export function jobsFor(jobs: JobsOption, parts: number, estimatedMs: number): number {
  const n = jobs === 'auto' ? (estimatedMs >= AUTO_JOBS_MIN_MS ? defaultJobs() : 1) : jobs;
  return Math.max(1, Math.min(n, parts));
}

export type Job = {
  /** The command's words after `rnn-harness`, without --json (added here). */
  args: string[];
  /** Shown in progress and in the reason of a failure, e.g. 'job 2 of 2'. */
  label: string;
};

export type JobResult<R> = { job: Job; report: R } | { job: Job; error: string };

export type JobsOptions = {
  /** Backends found available here, which the children then need not probe again. */
  available?: readonly string[];
  /** Lines of progress from the children, one line for all. */
  progress?: (line: string) => void;
  /** A child silent for longer than this is hung, and killed (default 10 min). */
  stallMs?: number;
};

const children = new Set<ChildProcess>();
let hooked = false;
function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const c of children) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/** The process ids of the jobs running now (for tests). */
export const liveJobs = (): number[] => [...children].flatMap((c) => (c.pid === undefined ? [] : [c.pid]));

/** Runs each job in a child `rnn-harness` process and reads back its JSON report. */
export async function runJobs<R>(jobs: readonly Job[], options: JobsOptions = {}): Promise<JobResult<R>[]> {
  const dir = await mkdtemp(join(tmpdir(), 'rnn-harness-jobs-'));
  const progress = options.progress ?? (() => {});
  const now = new Map<string, string>();
  const show = () =>
    progress(
      `${jobs.length === 1 ? '' : `${jobs.length} jobs: `}${[...now.entries()].map(([label, what]) => `${label}: ${what}`).join('; ')}`,
    );
  try {
    return await Promise.all(
      jobs.map(async (job, i) => {
        const file = join(dir, `job-${i + 1}.json`);
        const env = { ...process.env, RNN_HARNESS_AVAILABLE: (options.available ?? []).join(',') };
        const outcome = await runOne(job, file, env, options.stallMs ?? 600_000, (line) => {
          now.set(job.label, line);
          show();
        });
        now.set(job.label, outcome === undefined ? 'done' : 'FAILED');
        show();
        if (outcome !== undefined) return { job, error: outcome };
        try {
          return { job, report: JSON.parse(await readFile(file, 'utf8')) as R };
        } catch (e) {
          return { job, error: `${job.label} wrote no report: ${(e as Error).message}` };
        }
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs one child to its end; resolves with undefined, or with why it failed. */
function runOne(
  job: Job,
  file: string,
  env: NodeJS.ProcessEnv,
  stallMs: number,
  line: (text: string) => void,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [packageFile('dist', 'src', 'cli', 'main.js'), ...job.args, '--json', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    track(child);
    let tail = '';
    let stalled = false;
    let timer = setTimeout(() => undefined, 0);
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        child.kill('SIGKILL');
      }, stallMs);
    };
    watch();
    child.stderr?.on('data', (chunk: Buffer) => {
      watch();
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-2000);
      const last = text.trim().split('\n').pop();
      if (last) line(last);
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve(`${job.label} could not start: ${e.message}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const end = tail.trim() === '' ? '' : `; its stderr ends: ${tail.trim().slice(-600)}`;
      if (stalled) resolve(`${job.label} said nothing for ${Math.round(stallMs / 1000)} s and was killed (hung)${end}`);
      else if (code === 0 || code === 1) resolve(undefined);
      else resolve(`${job.label} exited ${signal ? `on ${signal}` : `with status ${code}`}${end}`);
    });
  });
}
