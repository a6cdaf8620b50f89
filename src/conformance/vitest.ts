/**
 * `rnn-harness/vitest`: the conformance suite, registered in the caller's own vitest run, the way
 * abstract-level's suite or ONNX's backend tests are run by every implementation:
 *
 *   import { describeConformance } from 'rnn-harness/vitest';
 *   import mine from './my-rnn.mjs';
 *   describeConformance(mine);
 *
 * This project runs its own backends through the same function (properties/conformance.property.test.ts).
 * A property that fails prints fast-check's report: the seed, the path and the shrunk counterexample.
 */
import { afterAll, describe, it } from 'vitest';
import '../backends/builtin.js';
import { checkEntry } from '../registry/checks.js';
import { availabilityOf, createBackend, getBackendEntry } from '../registry/registry.js';
import type { BackendEntry } from '../registry/types.js';
import { DEFAULT_TIMEOUT_MS, guardBackend } from '../run/guard.js';
import { errorMessage, openSubject } from '../run/select.js';
import { conformanceTests, type ConformanceOptions } from './tests.js';

/** Options of describeConformance: those of the suite, and how the backend is created and timed. */
export type DescribeConformanceOptions = ConformanceOptions & {
  /** Options for the entry's create() (default: its checkOptions). */
  createOptions?: object;
  /** Time limit of one backend call (default 60 s). */
  timeoutMs?: number;
  /** Time limit of one vitest test, a whole property (default 10 min; vitest's own default is 5 s). */
  testTimeoutMs?: number;
  /**
   * A backend that cannot run here: 'fail' (default), or 'skip', which registers one skipped test named
   * with the reason, so that the report still shows it.
   */
  whenUnavailable?: 'fail' | 'skip';
};

export type { ConformanceOptions } from './tests.js';

/** Registers the conformance suite of one backend: an entry of your own, or a registered name. */
export function describeConformance(backend: BackendEntry | string, options: DescribeConformanceOptions = {}): void {
  const entry =
    typeof backend === 'string'
      ? getBackendEntry(backend, 'describeConformance')
      : checkEntry('describeConformance', backend);
  const testTimeout = options.testTimeoutMs ?? 600_000;
  describe(`rnn-harness conformance: ${entry.name}`, async () => {
    const a = await availabilityOf(entry);
    if (!a.available) {
      if (options.whenUnavailable === 'skip') it.skip(`cannot run here: ${a.reason}`, () => {});
      else
        it('should be available here', () => Promise.reject(new Error(`${entry.name} cannot run here: ${a.reason}`)));
      return;
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let subject;
    try {
      subject = await openSubject(entry, {
        forCheck: true,
        timeoutMs,
        ...(options.createOptions === undefined ? {} : { createOptions: options.createOptions }),
      });
    } catch (e) {
      const message = errorMessage(e);
      it('should be created', () => Promise.reject(new Error(`${entry.name} could not be created: ${message}`)));
      return;
    }
    const reference = await createBackend('loops');
    const ctx = {
      backend: subject.backend,
      reference,
      capabilities: subject.capabilities,
      unchecked: guardBackend(subject.raw, {
        timeoutMs,
        name: entry.name,
        capabilities: subject.capabilities,
        checkResults: false,
      }),
    };
    afterAll(async () => {
      await reference.dispose();
      await subject.backend.dispose();
    });
    for (const t of conformanceTests(subject.capabilities, options)) {
      if ('skip' in t) it.skip(`${t.name} (${t.skip})`, () => {});
      else it(t.name, () => t.run(ctx), testTimeout);
    }
  });
}
