/**
 * Parallel feature extraction: a small pool of worker threads, each running
 * extract-worker.ts (decode → log-Mel → windows → cache file) one file at a time. Only metadata
 * crosses threads.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker, workerModuleUrl } from '../worker-threads.ts';
import type { CachedRecording } from './cache.ts';

export interface ExtractProgress {
  /** Files finished so far (cached or failed). */
  done: number;
  total: number;
  failed: number;
  /** The file just finished. */
  file: string;
}

export interface ExtractOptions {
  /** Worker threads; default: the machine's available parallelism. 0 = in this thread. */
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ExtractProgress) => void;
}

export type ExtractOutcome =
  { file: string; ok: true; recording: CachedRecording } | { file: string; ok: false; error: string };

export interface WorkerJob {
  index: number;
  file: string;
}
export type WorkerReply =
  { index: number; ok: true; recording: CachedRecording } | { index: number; ok: false; error: string };

let bundledWorkerFile: string | undefined;

/**
 * Tells the pool where the built worker is, for bundles (the desktop app's job process) in which
 * the TypeScript worker is not beside this module.
 */
export function useBundledExtractionWorker(file: string | undefined): void {
  bundledWorkerFile = file;
}

/**
 * The worker module: the bundled one if set, else the TypeScript one beside this module, else
 * undefined (a bundle that did not set one), in which case extraction runs in the calling thread.
 */
export function extractionWorkerUrl(): URL | undefined {
  return workerModuleUrl(bundledWorkerFile, new URL('./extract-worker.ts', import.meta.url));
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('feature extraction was cancelled');
  e.name = 'AbortError';
  return e;
}

export async function extractInParallel(
  cacheDir: string,
  files: readonly string[],
  options: ExtractOptions,
  extractInline: (file: string) => Promise<CachedRecording>,
): Promise<ExtractOutcome[]> {
  const { signal, onProgress } = options;
  const total = files.length;
  const outcomes: ExtractOutcome[] = new Array(total);
  let done = 0;
  let failed = 0;
  const record = (index: number, outcome: ExtractOutcome): void => {
    outcomes[index] = outcome;
    done++;
    if (!outcome.ok) failed++;
    onProgress?.({ done, total, failed, file: outcome.file });
  };
  if (signal?.aborted) throw abortError(signal);
  const threads = Math.min(options.threads ?? os.availableParallelism(), total);
  const workerUrl = extractionWorkerUrl();

  if (threads <= 0 || !workerUrl) {
    for (let i = 0; i < total; i++) {
      if (signal?.aborted) throw abortError(signal);
      const file = files[i]!;
      try {
        record(i, { file, ok: true, recording: await extractInline(file) });
      } catch (e) {
        record(i, { file, ok: false, error: (e as Error).message });
      }
    }
    return outcomes;
  }

  return new Promise<ExtractOutcome[]>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve(outcomes);
    };
    const onAbort = (): void => finish(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const dispatch = (worker: Worker): void => {
      if (next < total) {
        const job: WorkerJob = { index: next, file: files[next]! };
        next++;
        worker.postMessage(job);
      } else if (done === total) {
        finish();
      }
    };
    for (let t = 0; t < threads; t++) {
      const worker = startModuleWorker(workerUrl, { cacheDir });
      workers.push(worker);
      worker.on('message', (reply: WorkerReply) => {
        if (settled) return;
        const file = files[reply.index]!;
        record(
          reply.index,
          reply.ok ? { file, ok: true, recording: reply.recording } : { file, ok: false, error: reply.error },
        );
        dispatch(worker);
      });
      worker.on('error', (e) => finish(new Error(`feature extraction worker failed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (!settled && code !== 0) finish(new Error(`feature extraction worker exited with code ${code}`));
      });
      dispatch(worker);
    }
  });
}
