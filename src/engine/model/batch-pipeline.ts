/**
 * Where the trainer's batches are made: in a worker thread that stays ahead of the training step
 * when the set can be opened there (the feature cache) and a worker module is at hand, else in the
 * trainer's thread. `AUSCULT_BATCH_WORKER=0` keeps them in the trainer's thread. Same batches
 * either way (batch-source.ts).
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker, workerModuleUrl } from '../worker-threads.ts';
import { inlineBatchSource, type Batch, type BatchPlan, type BatchSource } from './batch-source.ts';
import type { BatchWorkerData, BatchWorkerMessage } from './batch-worker.ts';
import type { TrainingSet } from './training-set.ts';

/** Batches the worker makes ahead of the trainer: the next one, and one more while it is taken. */
const BATCHES_AHEAD = 2;

let bundledWorkerFile: string | undefined;

/** Tells the pipeline where the built worker is, for bundles (the desktop app's job process). */
export function useBundledBatchWorker(file: string | undefined): void {
  bundledWorkerFile = file;
}

export function batchWorkerUrl(): URL | undefined {
  return workerModuleUrl(bundledWorkerFile, new URL('./batch-worker.ts', import.meta.url));
}

export function openBatchSource(set: TrainingSet, plan: BatchPlan): BatchSource {
  const url = batchWorkerUrl();
  if (!set.workerSpec || !url || process.env.AUSCULT_BATCH_WORKER === '0') return inlineBatchSource(set, plan);
  return workerBatchSource(startModuleWorker(url, { spec: set.workerSpec, plan, ahead: BATCHES_AHEAD } satisfies BatchWorkerData));
}

type Made = Batch & { epoch: number; step: number };

function workerBatchSource(worker: Worker): BatchSource {
  const ready: Made[] = [];
  let waiting: { resolve: (b: Made) => void; reject: (e: Error) => void } | undefined;
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    waiting?.reject(failure);
    waiting = undefined;
  };
  worker.on('message', (m: BatchWorkerMessage) => {
    if (m.type === 'error') return fail(new Error(m.message));
    const made: Made = { epoch: m.epoch, step: m.step, n: m.n, x: m.x, yMixed: m.yMixed, sampleWeights: m.sampleWeights };
    if (waiting) {
      waiting.resolve(made);
      waiting = undefined;
    } else {
      ready.push(made);
    }
  });
  worker.on('error', (e) => fail(new Error(`training batch worker failed: ${e.message}`)));
  worker.on('exit', (code) => fail(new Error(`training batch worker exited (code ${code})`)));
  return {
    inWorker: true,
    next() {
      const take = (b: Made): Made => {
        worker.postMessage('credit');
        return b;
      };
      const b = ready.shift();
      if (b) return Promise.resolve(take(b));
      if (failure) return Promise.reject(failure);
      return new Promise<Made>((resolve, reject) => {
        waiting = { resolve: (x) => resolve(take(x)), reject };
      });
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
