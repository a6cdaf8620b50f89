/**
 * The tests Stryker runs against each mutant of the reference, the oracle and the comparison code
 * (`npm run mutation`, see stryker.config.mjs): the fast ones that pin that code down, in one process.
 * The second reporter counts a test file that cannot even load as a failed test (see its docblock).
 */
import { defineConfig } from 'vitest/config';
import UnloadableFileAsFailedTest from './test/helpers/unloadable-file-as-failed-test.js';

export default defineConfig({
  test: {
    include: [
      'test/reference.test.ts',
      'test/oracle.test.ts',
      'test/compare-tensors.test.ts',
      'test/notebook-bug.test.ts',
      'test/gated-reference.test.ts',
    ],
    setupFiles: ['test/helpers/builtin.ts'],
    testTimeout: 120_000,
    reporters: ['default', new UnloadableFileAsFailedTest()],
  },
});
