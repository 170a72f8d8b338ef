/** Worker thread of extract-pool.ts: caches the features of one file per message. */
import { parentPort, workerData } from 'node:worker_threads';
import { FeatureCache } from './cache.ts';
import type { WorkerJob, WorkerReply } from './extract-pool.ts';

const cache = new FeatureCache((workerData as { cacheDir: string }).cacheDir);

parentPort!.on('message', (job: WorkerJob) => {
  cache.ensureFile(job.file).then(
    (recording) => parentPort!.postMessage({ index: job.index, ok: true, recording } satisfies WorkerReply),
    (e: unknown) =>
      parentPort!.postMessage({
        index: job.index,
        ok: false,
        error: e instanceof Error ? e.message : String(e),
      } satisfies WorkerReply),
  );
});
