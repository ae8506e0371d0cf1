import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores here: one fork per core keeps tfjs-wasm and better-sqlite3 from fighting over them.
    pool: 'forks',
    maxWorkers: 2,
  },
});
