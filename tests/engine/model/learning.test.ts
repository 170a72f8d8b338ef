/**
 * Does the model learn? A synthetic factory (src/engine/datasets/synthetic): 2 machine types × 2
 * machine ids, normal clips only, 6 training clips per machine. The real network (313 × 128
 * input) is trained with S = 4 for 8 epochs of 2 steps; held-out normal clips must then sit
 * closer to their own machine's centres than to the other machines'. Clips are 5 s long (their
 * log-Mel wrapped to 313 frames, as any short clip is) to keep synthesis cheap.
 */
import { describe, expect, it } from 'vitest';
import { loadTf } from '../../../src/engine/tf.ts';
import { renderSyntheticClip, type MachineType } from '../../../src/engine/datasets/synthetic/factory.ts';
import { logMelSpectrogram } from '../../../src/engine/features/logmel.ts';
import { splitIntoWindows } from '../../../src/engine/features/windows.ts';
import { NormStatsAccumulator, normalizeInPlace } from '../../../src/engine/features/normalization.ts';
import { classCentres, disposeModel, embedWindows, inMemoryTrainingSet, trainModel, type TrainProgressEvent } from '../../../src/engine/model/index.ts';
import { cosine } from '../../helpers/vectors.ts';

const MACHINES: { type: MachineType; id: number }[] = [
  { type: 'fan', id: 0 },
  { type: 'fan', id: 1 },
  { type: 'pump', id: 0 },
  { type: 'pump', id: 1 },
];
const TRAIN_PER_MACHINE = 6;
const HELD_OUT_PER_MACHINE = 2;

function window(m: (typeof MACHINES)[number], split: 'train' | 'test', index: number): Float32Array {
  const clip = renderSyntheticClip(5, { machineType: m.type, idNumber: m.id, split, label: 'normal', index }, 5);
  return splitIntoWindows(logMelSpectrogram(clip.samples))[0]!.data;
}


describe('training on a synthetic factory (S = 4)', () => {
  it('lowers the loss, keeps ŝ finite, and held-out clips are closest to their own machine’s centres', async () => {
    await loadTf({ backend: 'wasm' });
    const train: Float32Array[] = [];
    const trainClass: number[] = [];
    const heldOut: Float32Array[] = [];
    const heldOutClass: number[] = [];
    MACHINES.forEach((m, c) => {
      for (let i = 0; i < TRAIN_PER_MACHINE; i++) {
        train.push(window(m, 'train', i));
        trainClass.push(c);
      }
      for (let i = 0; i < HELD_OUT_PER_MACHINE; i++) {
        heldOut.push(window(m, 'test', i));
        heldOutClass.push(c);
      }
    });
    const acc = new NormStatsAccumulator();
    for (const w of train) acc.add(w);
    const stats = acc.finish();
    for (const w of [...train, ...heldOut]) normalizeInPlace(w, stats);

    const events: TrainProgressEvent[] = [];
    const { model } = await trainModel(inMemoryTrainingSet(train, trainClass, MACHINES.length), {
      subclusters: 4,
      epochs: 8,
      batchSize: 12,
      seed: 3,
      classNames: MACHINES.map((m) => `${m.type}_id_0${m.id}`),
      onProgress: (e) => events.push(e),
    });
    try {
      expect(events.every((e) => Number.isFinite(e.scale) && e.scale > 0)).toBe(true);
      expect(model.history).toHaveLength(8);
      expect(model.history.at(-1)!.loss).toBeLessThan(0.85 * model.history[0]!.loss);

      const { embeddings } = embedWindows(model, heldOut);
      const centres = MACHINES.map((_, c) => classCentres(model, c));
      const similarity = embeddings.map((e) => centres.map((cs) => Math.max(...cs.map((w) => cosine(e, w)))));
      // Every held-out clip is closer (cosine, best sub-cluster) to its own machine's centres than to
      // any other machine's — including the other id of the same machine type.
      similarity.forEach((sims, i) => {
        const own = heldOutClass[i]!;
        for (let k = 0; k < MACHINES.length; k++) if (k !== own) expect(sims[own]!).toBeGreaterThan(sims[k]!);
      });
    } finally {
      disposeModel(model);
    }
  }, 600_000);
});
