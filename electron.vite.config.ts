import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = import.meta.dirname;

// Every part builds over out/ without emptying it: a running server or app may still load the previous build's
// chunks; scripts/build.mjs removes the files a build did not write once no one runs from out/.

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      emptyOutDir: false,
      // Native and optional packages (better-sqlite3, tfjs-node) stay external and load from node_modules.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'src-main/electron/main.ts'),
          // The engine process (utilityProcess): store, import, training, scoring and reports, off main's loop.
          engine: resolve(root, 'src-main/app/engine-process.ts'),
          // The engine's job thread (worker_threads): import, training, scoring and reports.
          'job-worker': resolve(root, 'src-main/app/job-worker.ts'),
          // The engine's query thread (worker_threads): the heavier reads (ranking, heatmap, previews, explanations).
          'query-worker': resolve(root, 'src-main/app/query-worker.ts'),
          // The fused kernel's helper thread (worker_threads), started from wherever a wide network trains or scores.
          'fused-helper': resolve(root, 'src-main/core/engine/fused/helper-worker.ts'),
          // The `residual` command (bin/residual.mjs loads it): compiled once here, not per run.
          cli: resolve(root, 'src-main/cli/main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      emptyOutDir: false,
      // A sandboxed preload cannot require packages: the contract (and zod) are bundled into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src-main/electron/preload.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: false,
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
