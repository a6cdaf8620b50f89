// Mutation testing of the suite itself (`npm run mutation`): Stryker mutates the reference backend, the
// oracle and the comparison code, and runs the tests of vitest.mutation.config.ts against each mutant.
// Equivalent mutants that survive are listed, with the reason, in README.md ("Mutation testing").
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'src/kernels/gemm.ts',
    'src/kernels/simple-rnn.ts',
    'src/backends/loops.ts',
    'src/oracle/finite-difference.ts',
    'src/check/compare.ts',
    'src/check/tolerance.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: 85 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
