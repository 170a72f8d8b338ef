/**
 * The job process of the desktop app (bundled to out/main/job-worker.js, run by utilityProcess):
 * the application's job worker, with feature extraction and training batches pointed at their
 * bundled worker threads so a packaged app needs neither tsx nor `src/`.
 */
import extractWorkerFile from '../engine/features/extract-worker.ts?modulePath';
import batchWorkerFile from '../engine/model/batch-worker.ts?modulePath';
import { useBundledExtractionWorker } from '../engine/features/extract-pool.ts';
import { useBundledBatchWorker } from '../engine/model/batch-pipeline.ts';

useBundledExtractionWorker(extractWorkerFile);
useBundledBatchWorker(batchWorkerFile);
await import('../app/worker.ts');
