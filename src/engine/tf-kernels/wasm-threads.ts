/**
 * Multi-threaded wasm in Node. tfjs-backend-wasm 4.22 turns threads off in Node
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false when `IS_NODE`, tfjs issue 3830) because its pthread
 * workers are created from `blob:` URLs, which Node's `worker_threads` cannot load, and the worker
 * then loads the main script from a Blob, which `importScripts` (fs.readFileSync) cannot read.
 * We write the worker script to a file, pointing its `importScripts` at the threaded module's own
 * file, and hand that path to Emscripten while the backend initialises.
 */
import type * as tfjs from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const THREADED_MODULE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
const THREADED_WORKER = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
/** The worker's "load" handler, which fetches the main script from a Blob. */
const LOAD_MAIN_SCRIPT =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

let workerFile: string | undefined;

/** Writes (once per process) the pthread worker script that Node can run. */
function nodeWorkerScript(): string {
  if (workerFile) return workerFile;
  const { wasmWorkerContents } = require(THREADED_WORKER) as { wasmWorkerContents: string };
  if (!wasmWorkerContents.includes(LOAD_MAIN_SCRIPT)) {
    throw new Error('tfjs-backend-wasm pthread worker has changed; multi-threaded wasm in Node needs updating');
  }
  // As tfjs does before making its Blob: escape newlines that sit inside string literals.
  const script = wasmWorkerContents.replace(/\n/g, '\\n').replace(LOAD_MAIN_SCRIPT, `importScripts(${JSON.stringify(require.resolve(THREADED_MODULE))});`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-wasm-threads-'));
  const file = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  fs.writeFileSync(file, script);
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  workerFile = file;
  return file;
}

/**
 * Makes the next wasm backend initialisation use `threads` threads; call before
 * `tf.setBackend('wasm')` (with `setThreadsCount(threads)`) and call the returned function once the
 * backend is ready (it undoes the two hooks below).
 */
export function enableNodeWasmThreads(tf: typeof tfjs, threads: number): () => void {
  const file = nodeWorkerScript();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const originalUrl = URL.createObjectURL.bind(URL);
  // During initialisation tfjs asks for exactly one object URL: the pthread worker script's.
  URL.createObjectURL = (obj: Blob) => (obj instanceof Blob && obj.type === 'application/javascript' ? file : originalUrl(obj));
  // The backend caps its thread pool at os.cpus().length / 2 (it assumes two hyper-threads per
  // core), i.e. at one thread on a 2-vCPU machine; report enough CPUs for the requested count
  // while the module initialises (it reads them once, in a static initialiser).
  const originalCpus = os.cpus;
  const cpus = originalCpus();
  os.cpus = () => (cpus.length >= 2 * threads ? cpus : Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]!));
  return () => {
    URL.createObjectURL = originalUrl;
    os.cpus = originalCpus;
    unrefPthreadWorkers(tf);
  };
}

/**
 * This Emscripten build does not unref its pthread workers in Node, so they would keep the process
 * alive after the program ends; the pool (8 workers) is complete once the backend is ready.
 */
function unrefPthreadWorkers(tf: typeof tfjs): void {
  if (tf.getBackend() !== 'wasm') return;
  const pthreads = (tf.backend() as unknown as { wasm?: { PThread?: { unusedWorkers: { unref?(): void }[]; runningWorkers: { unref?(): void }[] } } }).wasm?.PThread;
  for (const worker of [...(pthreads?.unusedWorkers ?? []), ...(pthreads?.runningWorkers ?? [])]) worker.unref?.();
}
