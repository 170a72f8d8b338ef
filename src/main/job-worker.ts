/**
 * The job process of the desktop app (bundled to out/main/job-worker.js, run by utilityProcess):
 * the application's job worker, with feature extraction pointed at its bundled worker thread so
 * a packaged app needs neither tsx nor `src/`.
 */
import extractWorkerFile from '../engine/features/extract-worker.ts?modulePath';
import { useBundledExtractionWorker } from '../engine/features/extract-pool.ts';

useBundledExtractionWorker(extractWorkerFile);
await import('../app/worker.ts');
