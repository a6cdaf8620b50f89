import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { caseToJson, describeCase, type RnnCase } from '../check/arbitraries.js';
import { agreementProperty, oracleProperty, saturationProperty } from '../check/properties.js';
import { createBackend, createBackendForCheck } from '../registry.js';
import type { RnnBackend } from '../rnn.js';
import { EXIT, intOption, parsed, reportUnavailable, selectBackends, UsageError, writeJson, type Io } from './common.js';

export const FUZZ_HELP = `Usage: rnn-harness fuzz [--runs N] [--seed S] [--path P] [--backends a,b] [--json FILE]

Property-based fuzzing with fast-check on random shapes (B 1..6, T 1..10, F 1..6, H 1..6), tanh and
relu, with and without h0:
  oracle     loops' gradients agree with finite differences (relu cases near the kink are discarded)
  agreement  each selected backend agrees with loops on hs and every gradient
  saturation the same where every tanh pre-activation is beyond 88 in magnitude (catches a tanh that
             overflows to NaN)
A failure is shrunk to a small case and printed with its seed and path; rerun exactly that case with
--seed S --path P.

Options:
  --runs N        runs per property (default 100)
  --seed S        the random seed (default: a fresh one, printed)
  --path P        replay one shrunk failure (with its --seed)
  --backends a,b  backends for the agreement property (default: every registered backend but loops)
  --json FILE     write { runs, seed, properties, failures } as JSON
  -h, --help      this text

Exit codes: 0 nothing found, 1 a property failed, 2 bad usage.`;

type Failure = {
  property: string; backend: string; seed: number; path: string; shape: string; error: string;
  counterexample: object; replay: string;
};

export async function fuzz(argv: string[], io: Io): Promise<number> {
  const { values } = parsed('fuzz', () =>
    parseArgs({
      args: argv, strict: true,
      options: {
        runs: { type: 'string' }, seed: { type: 'string' }, path: { type: 'string' }, backends: { type: 'string' },
        json: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return io.out(FUZZ_HELP), EXIT.ok;
  const runs = intOption('fuzz', 'runs', values.runs, 100);
  const seed = intOption('fuzz', 'seed', values.seed, randomInt(2 ** 31 - 1), 0);
  if (values.path !== undefined && values.seed === undefined) throw new UsageError('rnn-harness fuzz: --path needs the --seed it was printed with');
  const selection = await selectBackends('fuzz', values.backends);
  const reference = await createBackend('loops');
  const targets: { name: string; backend: RnnBackend; property: fc.IAsyncPropertyWithHooks<[RnnCase]> }[] = [
    { name: 'oracle', backend: reference, property: oracleProperty(reference) },
  ];
  for (const info of selection.run.filter((b) => b.name !== 'loops')) {
    const backend = await createBackendForCheck(info.name);
    targets.push({ name: 'agreement', backend, property: agreementProperty(backend, reference) });
    targets.push({ name: 'saturation', backend, property: saturationProperty(backend, reference) });
  }
  io.out(`rnn-harness fuzz: seed ${seed}, ${runs} runs per property`);
  const properties: object[] = [];
  const failures: Failure[] = [];
  for (const t of targets) {
    io.err(`${t.name} on ${t.backend.name}: running ${runs} cases…`);
    const start = performance.now();
    const out = await fc.check(t.property, { numRuns: runs, seed, ...(values.path === undefined ? {} : { path: values.path }) });
    const ms = Math.round(performance.now() - start);
    properties.push({ name: t.name, backend: t.backend.name, runs: out.numRuns, skipped: out.numSkips, ok: !out.failed, ms });
    if (!out.failed) {
      io.out(`ok    ${t.name} on ${t.backend.name}: ${out.numRuns} cases, ${out.numSkips} discarded, ${ms} ms`);
      continue;
    }
    const c = out.counterexample?.[0];
    const error = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    const backendFlag = t.backend.name === 'loops' ? '' : ` --backends ${t.backend.name}`;
    const f: Failure = {
      property: t.name, backend: t.backend.name, seed: out.seed, path: out.counterexamplePath ?? '',
      shape: c ? describeCase(c) : 'none', error, counterexample: c ? caseToJson(c) : {},
      replay: `rnn-harness fuzz --seed ${out.seed} --path ${out.counterexamplePath}${backendFlag}`,
    };
    failures.push(f);
    io.out(`FAIL  ${t.name} on ${t.backend.name} after ${out.numRuns} cases, shrunk ${out.numShrinks} times`);
    io.out(`      seed ${f.seed}, path ${f.path}`);
    io.out(`      counterexample: ${f.shape}`);
    io.out(`      ${error}`);
    io.out(`      values: ${JSON.stringify(f.counterexample)}`);
    io.out(`      replay: ${f.replay}`);
  }
  for (const b of new Set(targets.map((t) => t.backend))) if (b !== reference) await b.dispose();
  await reference.dispose();
  reportUnavailable(io, selection);
  io.out(failures.length === 0 ? 'nothing found' : `${failures.length} propert${failures.length === 1 ? 'y' : 'ies'} FAILED`);
  if (values.json !== undefined) await writeJson(values.json, { runs, seed, properties, failures, unavailable: selection.unavailable });
  return failures.length === 0 ? EXIT.ok : EXIT.failed;
}
