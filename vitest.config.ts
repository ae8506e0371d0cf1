import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // Residual's own folder (recent projects, new projects, reports) in a throwaway place: tests never touch ~/.residual.
    env: { RESIDUAL_HOME: path.join(os.tmpdir(), `residual-test-home-${process.pid}`) },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores here: one fork per core keeps tfjs-wasm and better-sqlite3 from fighting over them.
    pool: 'forks',
    maxWorkers: 2,
  },
});
