/**
 * Worker thread of the batch pipeline (batch-pipeline.ts): opens the feature-cache training set
 * it is given and makes the plan's batches in order, each as soon as the trainer has room for it
 * (a credit per batch taken), so one is ready when a training step ends. Batches travel as
 * transferred buffers; an error is sent once and ends the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FeatureCache } from '../features/cache.ts';
import { allocateBatch, EpochBatches, planSteps, type BatchPlan } from './batch-source.ts';
import { featureCacheTrainingSet, type FeatureCacheSetSpec } from './training-set.ts';

export interface BatchWorkerData {
  spec: FeatureCacheSetSpec;
  plan: BatchPlan;
  /** Batches made ahead of the trainer at most. */
  ahead: number;
}
export type BatchWorkerMessage =
  | { type: 'batch'; epoch: number; step: number; n: number; x: Float32Array; yMixed: Float32Array; sampleWeights: Float32Array }
  | { type: 'error'; message: string };

const { spec, plan, ahead } = workerData as BatchWorkerData;
const port = parentPort!;
const set = featureCacheTrainingSet(new FeatureCache(spec.cacheDir), spec.windows, spec.numClasses, spec.stats);
const steps = planSteps(plan);
let credits = ahead;
let making = false;
let epoch: EpochBatches | undefined;

async function make(): Promise<void> {
  if (making) return;
  making = true;
  try {
    while (credits > 0) {
      const s = steps.next();
      if (s.done) return;
      credits--;
      const [e, step] = s.value;
      if (epoch?.epoch !== e) epoch = new EpochBatches(set, plan, e);
      const b = await epoch.fill(step, allocateBatch(plan.batchSize, set.numClasses));
      const message: BatchWorkerMessage = { type: 'batch', epoch: e, step, ...b };
      port.postMessage(message, [b.x.buffer as ArrayBuffer, b.yMixed.buffer as ArrayBuffer, b.sampleWeights.buffer as ArrayBuffer]);
    }
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies BatchWorkerMessage);
    port.close();
  } finally {
    making = false;
  }
}

port.on('message', (m: 'credit') => {
  if (m === 'credit') {
    credits++;
    void make();
  }
});
void make();
