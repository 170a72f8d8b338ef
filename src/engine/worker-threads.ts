/**
 * Starting our worker threads (feature extraction, training batches) from their TypeScript
 * modules or from bundled builds. A worker written in TypeScript needs the tsx loader:
 * `execArgv: ['--import', 'tsx']` does not reach a worker's entry module on Node 20, so the worker
 * starts from a tiny bootstrap that registers tsx (resolved by absolute path, so any working
 * directory works: vitest, `node bin/auscult.mjs`, job processes) and then imports the entry.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export function startModuleWorker(workerUrl: URL, workerData: unknown): Worker {
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl, { workerData });
  // The ESM build of tsx's API sits beside the CommonJS one that require.resolve finds.
  const tsxApiCjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const tsxApi = pathToFileURL(tsxApiCjs.replace(/\.cjs$/, '.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * A worker module: the bundled build `bundledFile` if it exists, else the TypeScript module
 * `sourceUrl` if it exists (running from the sources), else undefined (a bundle that did not
 * say where its worker is), in which case the caller does the work in its own thread.
 */
export function workerModuleUrl(bundledFile: string | undefined, sourceUrl: URL): URL | undefined {
  if (bundledFile && fs.existsSync(bundledFile)) return pathToFileURL(bundledFile);
  return sourceUrl.protocol === 'file:' && fs.existsSync(fileURLToPath(sourceUrl)) ? sourceUrl : undefined;
}
