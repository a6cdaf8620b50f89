/**
 * fuzz --shard and rnn-harness merge: shards of one campaign together are the unsharded campaign, and
 * shards that do not belong together are refused by name. (scripts/shard-proof.mjs does the same with
 * parallel processes; CI runs it.)
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { NotebookBackwardBackend } from '../src/catalog/notebook.js';
import type { BackendEntry } from '../src/index.js';
import { mergeCheck, mergeFuzz } from '../src/run/merge.js';
import { runFuzz, type FuzzReport } from '../src/run/fuzz.js';

const problem3: BackendEntry = {
  name: 'problem3',
  precision: 'float64',
  create: async () => new NotebookBackwardBackend(),
};
const campaign = { backends: ['loops', 'workers', problem3], runs: 30, seed: 11 } as const;
const essence = (r: FuzzReport) => {
  const { maxRssMB: _m, shard: _s, warnings: _w, ...rest } = r;
  return { ...rest, properties: rest.properties.map(({ ms: _ms, ...p }) => p) };
};

let whole: FuzzReport;
let shards: FuzzReport[];
beforeAll(async () => {
  whole = await runFuzz(campaign);
  shards = [];
  for (let index = 1; index <= 3; index++) shards.push(await runFuzz({ ...campaign, shard: { index, count: 3 } }));
}, 120_000);

describe('fuzz --shard', () => {
  it("should deal the properties by their estimated cost, a backend's together, each shard running its own whole", () => {
    expect(whole.plan.map((p) => `${p.name} ${p.backend}`)).toEqual([
      'oracle loops',
      'agreement workers',
      'saturation workers',
      'agreement problem3',
      'saturation problem3',
    ]);
    // Estimated ms per case (run/deal.ts): the oracle 7, workers 2 + 1.6, a plug-in 1 + 0.8; the costliest
    // first to the shard with the least so far.
    expect(shards.map((s) => s.properties.map((p) => `${p.name} ${p.backend}`))).toEqual([
      ['oracle loops'],
      ['agreement workers', 'saturation workers'],
      ['agreement problem3', 'saturation problem3'],
    ]);
    expect(whole.failures.map((f) => `${f.property} ${f.backend}`)).toEqual(['agreement problem3']);
  });

  it('should, merged, equal the unsharded run: same properties, cases, failures and replay lines', () => {
    const merged = mergeFuzz(shards.map((report, i) => ({ dir: `shard-${i + 1}`, report })));
    expect(essence(merged)).toEqual(essence(whole));
  });

  it('should refuse a missing shard, a shard given twice, and shards of another seed, naming them', () => {
    const parts = shards.map((report, i) => ({ dir: `shard-${i + 1}`, report }));
    expect(() => mergeFuzz(parts.slice(0, 2))).toThrow('shard 3/3 of the fuzz campaign missing from the folders given');
    expect(() => mergeFuzz([...parts, parts[0]!])).toThrow('shard 1/3 of the fuzz campaign is in more than one folder');
    const other = { dir: 'other', report: { ...shards[2]!, seed: 12 } };
    expect(() => mergeFuzz([...parts.slice(0, 2), other])).toThrow(
      'other/fuzz.json has seed 12 but shard-1/fuzz.json has 11',
    );
  });

  it('should refuse a bad shard in the API and on the command line', async () => {
    await expect(runFuzz({ ...campaign, shard: { index: 4, count: 3 } })).rejects.toThrow(
      'runFuzz: options.shard must be { index, count } with 1 <= index <= count',
    );
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l) };
    expect(await main(['fuzz', '--shard', '0/2', '--seed', '1', '--backends', 'loops'], io)).toBe(2);
    expect(await main(['fuzz', '--shard', '1/2', '--backends', 'loops'], io)).toBe(2);
    expect(err.join('\n')).toContain('--shard must be I/N with 1 <= I <= N, e.g. 2/4; got "0/2"');
    expect(err.join('\n')).toContain('--shard needs a --seed, the same for every shard');
  });
});

describe('rnn-harness merge', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rnn-harness-merge-'));
  });

  it('should write the merged fuzz.json and exit 1 for the failures in it', async () => {
    for (const [i, s] of shards.entries()) {
      await mkdir(join(dir, `s${i + 1}`), { recursive: true });
      await writeFile(join(dir, `s${i + 1}`, 'fuzz.json'), JSON.stringify(s));
    }
    const out: string[] = [];
    const code = await main(
      ['merge', join(dir, 's1'), join(dir, 's2'), join(dir, 's3'), '--out', join(dir, 'merged')],
      { out: (l) => out.push(l), err: () => {} },
    );
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('fuzz.json (3 shards, 5 properties, 1 failure)');
  });

  it('should print a table of what it merged and every failure with the line that replays it, and write fuzz.md', async () => {
    const out: string[] = [];
    await main(['merge', join(dir, 's1'), join(dir, 's2'), join(dir, 's3'), '--out', join(dir, 'merged')], {
      out: (l) => out.push(l),
      err: () => {},
    });
    const text = out.join('\n');
    const failure = whole.failures[0]!;
    expect(text).toMatch(/^property\s+backend\s+cases\s+discarded\s+ms\s+result$/m);
    expect(text).toMatch(/^agreement\s+problem3\s+\d+\s+\d+\s+\d+\s+FAIL$/m);
    expect(text).toContain(`FAIL  agreement on problem3 after ${failure.runs} cases`);
    expect(text).toContain(`replay: ${failure.replay}`);
    expect(text).toMatch(/1 property FAILED$/);
    const md = await readFile(join(dir, 'merged', 'fuzz.md'), 'utf8');
    expect(md).toMatch(/^\*\*1 property FAILED\*\*: seed 11, 30 runs per property, small sizes\.$/m);
    expect(md).toContain('| agreement | problem3 |');
    expect(md).toContain(`replay: ${failure.replay}`);
  });

  it('should refuse a folder without reports, and no --out, with exit 2', async () => {
    await mkdir(join(dir, 'nothing'), { recursive: true });
    const err: string[] = [];
    const io = { out: () => {}, err: (l: string) => err.push(l) };
    expect(await main(['merge', join(dir, 'nothing'), '--out', join(dir, 'o')], io)).toBe(2);
    expect(err.join('\n')).toContain(`${join(dir, 'nothing')} holds no check.json, fuzz.json or bench.json`);
    expect(await main(['merge', join(dir, 's1')], io)).toBe(2);
  });

  it("should keep every folder's check rows, and not call a backend unavailable that another folder checked", () => {
    const row = (backend: string) => ({
      backend,
      quantity: 'hs',
      maxError: 0,
      tolerance: 1,
      worstRatio: 0,
      worstCase: 'x',
      status: 'pass' as const,
      ok: true,
    });
    const base = { cases: ['a'], capabilities: {}, oracleSkipped: [], renderers: {}, warnings: [] };
    const merged = mergeCheck([
      {
        dir: 'cpu',
        report: {
          ...base,
          ok: false,
          rows: [row('loops')],
          unavailable: [{ name: 'gpujs-headlessgl', precision: 'float32', available: false, reason: 'no GL' }],
        },
      },
      { dir: 'gpu', report: { ...base, ok: true, rows: [row('gpujs-headlessgl')], unavailable: [] } },
    ] as never);
    expect(merged.rows.map((r) => r.backend)).toEqual(['loops', 'gpujs-headlessgl']);
    expect(merged.unavailable).toEqual([]);
    expect(merged.ok).toBe(false);
  });
});

describe('fuzz --property with the plan', () => {
  it('should run only that property, and keep the whole plan for the shards', async () => {
    const r = await runFuzz({ backends: ['loops', 'workers'], runs: 5, seed: 1, property: 'agreement' });
    expect(r.properties.map((p) => `${p.name} ${p.backend}`)).toEqual(['agreement workers']);
    expect(r.plan).toEqual([{ name: 'agreement', backend: 'workers' }]);
  });
});
