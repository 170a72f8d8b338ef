/**
 * The one place that loads TensorFlow.js and chooses its backend.
 *
 * Order of preference: `tensorflow` (tfjs-node, native libtensorflow) → `wasm`
 * (@tensorflow/tfjs-backend-wasm) → `cpu` (pure JS). tfjs-node is an optional dependency whose
 * install downloads libtensorflow, so on offline machines it is simply absent and we fall back.
 * `AUSCULT_TF_BACKEND` forces one backend (and fails loudly if it cannot be had).
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import os from 'node:os';
import { enableNodeWasmThreads, registerWasmKernels } from './tf-kernels/index.ts';

export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';
export const TF_BACKENDS: readonly TfBackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * Most wasm threads chosen by default. XNNPack's convolutions and our kernels scale with threads,
 * but the step's glue (autodiff tape, small ops, a few copies) stays on the main thread, so beyond
 * a few threads the extra ones mostly wait.
 */
export const WASM_THREADS_CAP = 4;

/** Where the wasm thread count came from, for logs and `auscult doctor`. */
export type WasmThreadsSource = 'option' | 'AUSCULT_WASM_THREADS' | 'cores';

export interface TfRuntime {
  tf: typeof tf;
  backend: TfBackendName;
  /** Threads the backend computes with (wasm: its thread pool; cpu: 1; tensorflow: intra-op default). */
  threads: number;
  /** wasm only: how the thread count was chosen. */
  threadsSource?: WasmThreadsSource;
  /** wasm only: why this count, in words, as of the moment it was chosen (the idle cores then). */
  threadsReason?: string;
  tfjsVersion: string;
  /** Why preferred backends were skipped, in order of preference. */
  skipped: { backend: TfBackendName; reason: string }[];
}

const require = createRequire(import.meta.url);
let active: TfRuntime | undefined;
let loading: Promise<TfRuntime> | undefined;

function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}

/** Parses a backend name given by a user (env var or CLI flag); throws on unknown names. */
export function parseBackendName(name: string): TfBackendName {
  const n = name.trim().toLowerCase();
  if (n === 'node' || n === 'native') return 'tensorflow';
  if ((TF_BACKENDS as readonly string[]).includes(n)) return n as TfBackendName;
  throw new Error(`Unknown TensorFlow.js backend "${name}" (expected one of: ${TF_BACKENDS.join(', ')})`);
}

/** Directory holding the wasm binaries, as a file path (Node reads them from disk, no fetch). */
export function wasmBinaryDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

async function tryBackend(name: TfBackendName, wasmThreads: number | undefined): Promise<void> {
  let restoreHooks: (() => void) | undefined;
  if (name === 'tensorflow') {
    // Side effect: registers the 'tensorflow' backend with the shared tfjs-core instance.
    await import('@tensorflow/tfjs-node' as string);
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmBinaryDir());
    if (wasmThreads !== undefined) wasm.setThreadsCount(wasmThreads);
    // tfjs turns multi-threaded wasm off in Node; it works once its worker is loaded from a file.
    if (wasmThreads !== undefined && wasmThreads > 1) restoreHooks = enableNodeWasmThreads(tf, wasmThreads);
    // Training needs convolution gradients that tfjs-backend-wasm lacks or runs slowly.
    registerWasmKernels(tf);
  }
  try {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
    await tf.ready();
  } finally {
    restoreHooks?.();
  }
  if (tf.getBackend() !== name) throw new Error(`backend is '${tf.getBackend()}' after selecting '${name}'`);
}

function threadsOf(name: TfBackendName): number {
  if (name === 'cpu') return 1;
  if (name === 'wasm') {
    const b = tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } };
    return b.wasm?.tfjs?.getThreadsCount?.() ?? 1;
  }
  return os.availableParallelism();
}

export interface LoadTfOptions {
  /** Force one backend; default: `AUSCULT_TF_BACKEND`, else the preference order. */
  backend?: TfBackendName;
  /**
   * Thread count for wasm (default `AUSCULT_WASM_THREADS`, else the machine's free cores capped
   * at WASM_THREADS_CAP; see defaultWasmThreads). Only takes effect when wasm is first initialised in
   * the process.
   */
  wasmThreads?: number;
}

/**
 * Loads TensorFlow.js once per process and returns the active runtime. Later calls return the same
 * runtime; asking for a different backend than the active one switches to it.
 */
export async function loadTf(options: LoadTfOptions = {}): Promise<TfRuntime> {
  const envChoice = process.env.AUSCULT_TF_BACKEND;
  const forced = options.backend ?? (envChoice ? parseBackendName(envChoice) : undefined);
  if (active && (!forced || forced === active.backend)) return active;
  if (loading && !forced) return loading;
  loading = (async () => {
    // PROD silences tfjs' console banners (e.g. "install the node backend") that would clutter CLI output.
    tf.env().set('PROD', true);
    const skipped: TfRuntime['skipped'] = [];
    const candidates = forced ? [forced] : [...TF_BACKENDS];
    const fromEnv = wasmThreadsFromEnv();
    const threadsSource: WasmThreadsSource = options.wasmThreads !== undefined ? 'option' : fromEnv !== undefined ? 'AUSCULT_WASM_THREADS' : 'cores';
    let measured: { threads: number; reason: string } | undefined;
    let threadsReason: string | undefined = threadsSource === 'AUSCULT_WASM_THREADS' ? 'AUSCULT_WASM_THREADS' : undefined;
    for (const name of candidates) {
      try {
        // The idle cores are measured (250 ms) only when wasm is tried and nothing fixed the count.
        if (name === 'wasm' && threadsSource === 'cores') {
          measured ??= await defaultWasmThreads();
          threadsReason = measured.reason;
        }
        const wasmThreads = options.wasmThreads ?? fromEnv ?? measured?.threads;
        await tryBackend(name, wasmThreads);
        active = { tf, backend: name, threads: threadsOf(name), tfjsVersion: tf.version.tfjs, skipped, ...(name === 'wasm' ? { threadsSource, threadsReason } : {}) };
        return active;
      } catch (err) {
        skipped.push({ backend: name, reason: errorText(err) });
      }
    }
    const why = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
    throw new Error(`No TensorFlow.js backend could be started (${why})`);
  })();
  try {
    return await loading;
  } finally {
    loading = undefined;
  }
}

/** How long the default thread count watches the cores (os.cpus() times) before choosing. */
export const FREE_CORES_SAMPLE_MS = 250;

type CpuTimes = Pick<os.CpuInfo, 'times'>[];

/** Cores' worth of idle time between two os.cpus() readings (0 … number of CPUs). */
export function idleCoresBetween(before: CpuTimes, after: CpuTimes): number {
  let idle = 0;
  let total = 0;
  for (let i = 0; i < Math.min(before.length, after.length); i++) {
    const [a, b] = [before[i]!.times, after[i]!.times];
    const busy = b.user - a.user + (b.nice - a.nice) + (b.sys - a.sys) + (b.irq - a.irq);
    const free = b.idle - a.idle;
    idle += free;
    total += busy + free;
  }
  return total > 0 ? (idle / total) * after.length : after.length;
}

/** Threads for `idleCores` idle cores out of `cores` usable ones: rounded, at least 1, at most the cap. */
export function threadsForIdleCores(idleCores: number, cores: number): number {
  return Math.max(1, Math.min(WASM_THREADS_CAP, cores, Math.floor(idleCores + 0.5)));
}

/**
 * The default wasm thread count: one per core this process may use (os.availableParallelism)
 * that other work leaves idle now — measured over FREE_CORES_SAMPLE_MS from the cores' CPU
 * times, not from the load average, which lags by minutes and counts this program's own work just
 * before (the demo's scoring left a 1-minute load of 1.5 on an idle 2-core machine, so its
 * training took 1 thread) — at least 1 and at most WASM_THREADS_CAP. On a shared machine a
 * second thread whose core is busy makes every step wait for it (measured: 2 threads at load 7
 * on 2 cores trained at half the speed of 1); results do not depend on the thread count
 * (bit-identical, tested), so the choice costs no reproducibility. Tests pin
 * AUSCULT_WASM_THREADS=1 (vitest.config.ts) so that parallel test files do not oversubscribe.
 */
export async function defaultWasmThreads(sampleMs = FREE_CORES_SAMPLE_MS): Promise<{ threads: number; reason: string }> {
  const cores = os.availableParallelism();
  const before = os.cpus();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const idle = Math.min(cores, idleCoresBetween(before, os.cpus()));
  return {
    threads: threadsForIdleCores(idle, cores),
    reason: `default: ${cores} core${cores === 1 ? '' : 's'}, ${idle.toFixed(1)} idle over ${sampleMs} ms, at most ${WASM_THREADS_CAP}; AUSCULT_WASM_THREADS overrides`,
  };
}

function wasmThreadsFromEnv(): number | undefined {
  const v = process.env.AUSCULT_WASM_THREADS;
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`AUSCULT_WASM_THREADS must be a positive integer, got "${v}"`);
  return n;
}

/** One line for logs, the CLI and the UI: which backend runs and why others were skipped. */
export function describeTfRuntime(rt: TfRuntime): string {
  const skipped = rt.skipped.length
    ? ` (skipped ${rt.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})`
    : '';
  const why = rt.threadsReason ? ` (${rt.threadsReason})` : '';
  return `${rt.backend}, ${rt.threads} thread${rt.threads === 1 ? '' : 's'}${why}, tfjs ${rt.tfjsVersion}${skipped}`;
}
