import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTf } from '../../../src/engine/tf.ts';
import { Random } from '../../../src/engine/datasets/prng.ts';
import { WINDOW_VALUES } from '../../../src/engine/model/config.ts';
import { disposeModel, parameterValues } from '../../../src/engine/model/model.ts';
import { loadModel, loadModelWithState } from '../../../src/engine/model/io.ts';
import { inMemoryTrainingSet, type TrainingSet } from '../../../src/engine/model/training-set.ts';
import { classBalancedWeights, epochOrder, mixupBatch, trainModel, type TrainProgressEvent } from '../../../src/engine/model/trainer.ts';
import { TrainingDivergedError } from '../../../src/engine/model/train-step.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-trainer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** 6 real-size windows of 3 classes (2 each): noise around a class-specific spectral tilt. */
function tinySet(): TrainingSet {
  const rng = new Random(42);
  const windows: Float32Array[] = [];
  const classes: number[] = [];
  for (let i = 0; i < 6; i++) {
    const c = i % 3;
    windows.push(Float32Array.from({ length: WINDOW_VALUES }, (_, k) => ((k % 128) / 64 - 1) * (c - 1) + rng.normal(0, 0.5)));
    classes.push(c);
  }
  return inMemoryTrainingSet(windows, classes, 3);
}

describe('trainer building blocks', () => {
  it('class-balanced weights are total / (C · count)', () => {
    const set = inMemoryTrainingSet([0, 1, 2, 3].map(() => new Float32Array(WINDOW_VALUES)), [0, 0, 0, 1], 2);
    expect(Array.from(classBalancedWeights(set))).toEqual([4 / 6, 2]);
  });

  it('mixup mixes every sample with the mirrored one, λ ~ U(0,1) per sample, labels and weights alike', () => {
    const n = 5;
    const C = 3;
    const x = new Float32Array(n * WINDOW_VALUES);
    for (let i = 0; i < n; i++) x.fill(i, i * WINDOW_VALUES, (i + 1) * WINDOW_VALUES);
    const y = new Float32Array(n * C);
    [0, 1, 2, 0, 1].forEach((c, i) => (y[i * C + c] = 1));
    const w = Float32Array.from([1, 2, 3, 4, 5]);
    mixupBatch(new Random(7), n, x, y, w, C);
    const lambdas: number[] = [];
    for (let i = 0; i < n; i++) {
      const j = n - 1 - i;
      // x_i = λ·i + (1 − λ)·j is constant over the window; recover λ from it.
      const lambda = i === j ? 1 : (x[i * WINDOW_VALUES]! - j) / (i - j);
      if (i !== j) lambdas.push(lambda);
      expect(x[i * WINDOW_VALUES + 12345]).toBeCloseTo(x[i * WINDOW_VALUES]!, 5);
      expect(y[i * C]! + y[i * C + 1]! + y[i * C + 2]!).toBeCloseTo(1, 6);
      if (i !== j) expect(w[i]).toBeCloseTo(lambda * (i + 1) + (1 - lambda) * (j + 1), 4);
    }
    expect(x[2 * WINDOW_VALUES]).toBe(2); // the middle sample of an odd batch is its own partner
    expect(new Set(lambdas.map((l) => l.toFixed(4))).size).toBe(4);
    for (const l of lambdas) {
      expect(l).toBeGreaterThanOrEqual(0);
      expect(l).toBeLessThan(1);
    }
  });

  it('epoch order is a seeded permutation; windowsPerEpoch takes a subset', () => {
    const a = epochOrder(3, 0, 10);
    expect([...a].sort((p, q) => p - q)).toEqual([...Array(10).keys()]);
    expect(epochOrder(3, 0, 10)).toEqual(a);
    expect(epochOrder(3, 1, 10)).not.toEqual(a);
    expect(epochOrder(3, 0, 10, 4)).toEqual(a.slice(0, 4));
  });
});

describe('trainModel', () => {
  const options = { subclusters: 2, epochs: 2, batchSize: 3, seed: 11 } as const;

  it('is deterministic for a seed, emits progress, and a resumed checkpoint continues exactly', async () => {
    await loadTf({ backend: 'wasm' });
    const events: TrainProgressEvent[] = [];
    const ckA = path.join(tmp, 'ckA');
    const a = await trainModel(tinySet(), { ...options, checkpointDir: ckA, checkpointEveryEpochs: 1, onProgress: (e) => events.push(e) });
    const b = await trainModel(tinySet(), options);
    // Interrupted run: one epoch, then resume from its checkpoint to epoch 2.
    const ckC = path.join(tmp, 'ckC');
    const first = await trainModel(tinySet(), { ...options, epochs: 1, checkpointDir: ckC });
    const c = await trainModel(tinySet(), { ...options, resumeFrom: ckC });
    try {
      expect(parameterValues(b.model)).toEqual(parameterValues(a.model));
      expect(b.model.scale).toBe(a.model.scale);
      expect(parameterValues(c.model)).toEqual(parameterValues(a.model));
      expect(c.model.history.map((h) => h.loss)).toEqual(a.model.history.map((h) => h.loss));
      expect(parameterValues(first.model)).not.toEqual(parameterValues(a.model));

      expect(events.map((e) => [e.epoch, e.step])).toEqual([[1, 1], [1, 2], [2, 1], [2, 2]]);
      expect(events.map((e) => e.epochDone)).toEqual([false, true, false, true]);
      for (const e of events) {
        expect(e).toMatchObject({ epochs: 2, stepsPerEpoch: 2 });
        expect(Number.isFinite(e.loss) && Number.isFinite(e.scale) && e.samplesPerS > 0 && e.etaS >= 0).toBe(true);
      }
      expect(events.at(-1)!.etaS).toBe(0);
      const saved = await loadModelWithState(ckA);
      expect(saved.trainer?.epoch).toBe(2);
      expect(parameterValues(saved.model)).toEqual(parameterValues(a.model));
      disposeModel(saved.model);
    } finally {
      [a, b, c, first].forEach((r) => disposeModel(r.model));
    }
  }, 600_000);

  it('refuses SC-AdaCos without mixup unless forced', async () => {
    await expect(trainModel(tinySet(), { ...options, mixup: false })).rejects.toThrow(/without mixup .* diverge/);
  });

  it('stops with a clear error on divergence and keeps the last good checkpoint', async () => {
    const base = tinySet();
    let reads = 0;
    // From the second epoch on, the data turn into NaN: the loss is no longer finite.
    const poisoned: TrainingSet = {
      ...base,
      classOf: (i) => base.classOf(i),
      readWindow: (i, out) => {
        void base.readWindow(i, out);
        if (++reads > 6) out.fill(Number.NaN);
      },
    };
    const dir = path.join(tmp, 'diverge');
    const err = await trainModel(poisoned, { ...options, epochs: 3, checkpointDir: dir, checkpointEveryEpochs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/training diverged: .*not finite.*last good checkpoint \(epoch 1\)/);
    const kept = await loadModel(dir);
    expect(kept.history).toHaveLength(1);
    expect(parameterValues(kept).every((a) => a.every(Number.isFinite))).toBe(true);
    disposeModel(kept);
  }, 300_000);

  it('can be cancelled between steps', async () => {
    const controller = new AbortController();
    let steps = 0;
    const err = await trainModel(tinySet(), {
      ...options,
      signal: controller.signal,
      onProgress: () => {
        steps++;
        controller.abort();
      },
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(steps).toBe(1);
  });
});
