/**
 * The conformance suite over every registered backend, through the same describeConformance that other
 * projects import from 'rnn-harness/vitest': a backend joins by registering. A backend that cannot run
 * here shows as one skipped test with the reason, unless it is required (CI sets
 * RNN_HARNESS_REQUIRE=gpujs-headlessgl), when that is a failure.
 */
import { describeConformance } from '../src/conformance/vitest.js';
import { backendEntries } from '../src/registry/registry.js';

const required = new Set(
  (process.env.RNN_HARNESS_REQUIRE ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

for (const entry of backendEntries())
  describeConformance(entry, { whenUnavailable: required.has(entry.name) ? 'fail' : 'skip' });
