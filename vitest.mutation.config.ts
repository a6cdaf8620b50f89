/**
 * The tests Stryker runs against each mutant of the reference, the oracle and the comparison code
 * (`npm run mutation`, see stryker.config.mjs): the fast ones that pin that code down, in one process.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/reference.test.ts', 'test/oracle.test.ts', 'test/compare-tensors.test.ts', 'test/notebook-bug.test.ts',
    ],
    testTimeout: 120_000,
  },
});
