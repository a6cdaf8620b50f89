import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    setupFiles: ['test/helpers/builtin.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
