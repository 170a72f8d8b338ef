import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureCache, type CachedRecording } from '../../../src/engine/features/cache.ts';
import { inlineBatchSource, type BatchPlan, type BatchSource } from '../../../src/engine/model/batch-source.ts';
import { batchWorkerUrl, openBatchSource } from '../../../src/engine/model/batch-pipeline.ts';
import { cachedRecordingsTrainingSet, inMemoryTrainingSet, type TrainingSet } from '../../../src/engine/model/training-set.ts';
import { classBalancedWeights } from '../../../src/engine/model/trainer.ts';
import { WINDOW_VALUES } from '../../../src/engine/model/config.ts';
import { tempDir, writeToneWav } from '../../app/helpers/workspace.ts';

const t = tempDir('auscult-batches-');
let cache: FeatureCache;
let recordings: CachedRecording[];
let set: TrainingSet;

beforeAll(async () => {
  cache = new FeatureCache(path.join(t.dir, 'cache'));
  // 7 clips of 2–3 s (one window each) of 3 classes.
  const files = Array.from({ length: 7 }, (_, i) => {
    const f = path.join(t.dir, `clip_${i}.wav`);
    writeToneWav(f, { seed: 10 + i, freqHz: 300 + 150 * (i % 3), durationS: 2 + (i % 2) });
    return f;
  });
  recordings = [];
  for (const f of files) recordings.push(await cache.ensureFile(f));
  set = cachedRecordingsTrainingSet(cache, recordings, recordings.map((_, i) => i % 3), 3).set;
}, 120_000);
afterAll(() => t.cleanup());

function planFor(s: TrainingSet, over: Partial<BatchPlan> = {}): BatchPlan {
  // Batch 3 over 7 windows: batches of 3, 3 and a short last one of 1.
  return { seed: 5, batchSize: 3, mixup: true, classWeights: classBalancedWeights(s), stepsPerEpoch: 3, startEpoch: 0, epochs: 3, ...over };
}

async function drain(source: BatchSource, steps: number) {
  const out: { epoch: number; step: number; n: number; x: number[]; y: number[]; w: number[] }[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const b = await source.next();
      out.push({ epoch: b.epoch, step: b.step, n: b.n, x: Array.from(b.x), y: Array.from(b.yMixed), w: Array.from(b.sampleWeights) });
    }
  } finally {
    await source.close();
  }
  return out;
}

describe('training batches made in a worker thread', () => {
  it('are the batches made in the trainer’s thread, bit for bit, over epochs, subsets and a short last batch', async () => {
    expect(set.workerSpec).toBeDefined();
    expect(batchWorkerUrl()?.pathname).toMatch(/batch-worker\.ts$/);
    for (const plan of [planFor(set), planFor(set, { windowsPerEpoch: 5, stepsPerEpoch: 2, mixup: false })]) {
      const steps = plan.stepsPerEpoch * plan.epochs;
      const worker = openBatchSource(set, plan);
      expect(worker.inWorker).toBe(true);
      const [a, b] = [await drain(worker, steps), await drain(inlineBatchSource(set, plan), steps)];
      expect(a.map((x) => [x.epoch, x.step, x.n])).toEqual(b.map((x) => [x.epoch, x.step, x.n]));
      expect(a).toEqual(b);
      expect(a.at(-1)!.x.length).toBe(a.at(-1)!.n * WINDOW_VALUES);
    }
  }, 120_000);

  it('a resumed plan starts at its epoch with the batches an uninterrupted run had there', async () => {
    const full = await drain(openBatchSource(set, planFor(set)), 9);
    const resumed = await drain(openBatchSource(set, planFor(set, { startEpoch: 2 })), 3);
    expect(resumed).toEqual(full.slice(6));
  }, 120_000);

  it('sets a worker cannot open, and AUSCULT_BATCH_WORKER=0, stay in the trainer’s thread', async () => {
    const mem = inMemoryTrainingSet([new Float32Array(WINDOW_VALUES), new Float32Array(WINDOW_VALUES).fill(1)], [0, 1], 2);
    expect(openBatchSource(mem, planFor(mem, { batchSize: 2, stepsPerEpoch: 1 })).inWorker).toBe(false);
    process.env.AUSCULT_BATCH_WORKER = '0';
    try {
      expect(openBatchSource(set, planFor(set)).inWorker).toBe(false);
    } finally {
      delete process.env.AUSCULT_BATCH_WORKER;
    }
  });

  it('a window the worker cannot read fails the next batch with the cache’s message', async () => {
    const broken = path.join(t.dir, 'broken-cache');
    fs.cpSync(path.join(t.dir, 'cache'), broken, { recursive: true });
    const brokenCache = new FeatureCache(broken);
    const brokenSet = cachedRecordingsTrainingSet(brokenCache, recordings, recordings.map((_, i) => i % 3), 3).set;
    fs.rmSync(brokenCache.pathOf(recordings[0]!.key));
    const source = openBatchSource(brokenSet, planFor(brokenSet));
    try {
      // Some batch of the first two epochs needs window 0.
      let error: unknown;
      for (let i = 0; i < 6 && !error; i++) await source.next().catch((e: unknown) => (error = e));
      expect(String(error)).toMatch(/FeatureCache: .*cannot be read|no cached features/);
    } finally {
      await source.close();
    }
  }, 120_000);
});
