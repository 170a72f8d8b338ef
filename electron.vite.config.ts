import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  main: {
    // Packages stay in node_modules (native modules cannot be bundled); the optional tfjs-node too.
    plugins: [externalizeDepsPlugin({ include: ['@tensorflow/tfjs-node'] })],
    build: {
      rollupOptions: {
        // The job worker (run in utility processes) and its worker threads (feature extraction,
        // training batches) are entries of their own, so out/main/ holds them under fixed names:
        // job-worker.js, extract-worker.js, batch-worker.js. The main entry finds them through `?modulePath` imports.
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          'job-worker': resolve(__dirname, 'src/main/job-worker.ts'),
          'extract-worker': resolve(__dirname, 'src/engine/features/extract-worker.ts'),
          'batch-worker': resolve(__dirname, 'src/engine/model/batch-worker.ts'),
        },
      },
    },
  },
  preload: {
    // Sandboxed preloads load no packages and no ES modules: everything is bundled into one
    // CommonJS file that requires only `electron`.
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    resolve: { alias: { '@renderer': resolve(__dirname, 'src/renderer/src') } },
    plugins: [vue()],
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } } },
  },
});
