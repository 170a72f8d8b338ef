import { describe, expect, it } from 'vitest';
import { loadTf } from '../../../src/engine/tf.ts';
import { makeModelConfig, WINDOW_VALUES } from '../../../src/engine/model/config.ts';
import { countTrainableParams, networkSpec } from '../../../src/engine/model/network.ts';
import { createModel, disposeModel, classCentres, centreRows, parameterValues } from '../../../src/engine/model/model.ts';
import { embedWindows } from '../../../src/engine/model/embed.ts';
import { initialScale } from '../../../src/engine/model/sc-adacos.ts';

const names = (n: number) => Array.from({ length: n }, (_, i) => `class_${i}`);

describe('the embedding network (method.md §3)', () => {
  it('has the paper’s trainable parameter counts: 772,192 for C = 41, S = 1 and 1,102,816 for S = 64', () => {
    expect(countTrainableParams({ numClasses: 41, subclusters: 1, centres: 'trainable' })).toBe(772_192);
    expect(countTrainableParams({ numClasses: 41, subclusters: 64, centres: 'trainable' })).toBe(1_102_816);
  });

  it('without centres it has 766,944 parameters, and fixed centres are not trainable', () => {
    const spec = networkSpec({ numClasses: 41, subclusters: 4, centres: 'fixed' }).params;
    const trainable = spec.filter((p) => p.trainable).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    expect(trainable).toBe(766_944);
    expect(spec.find((p) => p.name === 'centres')!.shape).toEqual([128, 41 * 4]);
  });

  it('maps real-size windows to 128-d embeddings and C class probabilities that sum to 1', async () => {
    await loadTf({ backend: 'wasm' });
    const model = await createModel(makeModelConfig({ classNames: names(3), subclusters: 2 }), 5);
    try {
      const windows = [0, 1, 2].map((k) => Float32Array.from({ length: WINDOW_VALUES }, (_, i) => Math.sin(i * (0.01 + k * 0.003))));
      const { embeddings, classProbs } = embedWindows(model, windows, 2);
      expect(embeddings.map((e) => e.length)).toEqual([128, 128, 128]);
      for (const p of classProbs) {
        expect(p.length).toBe(3);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
      expect(embeddings[0]).not.toEqual(embeddings[1]);
      expect(model.scale).toBeCloseTo(initialScale(3, 2), 12);
      expect(() => embedWindows(model, [new Float32Array(10)])).toThrow(/window 0 has 10 values/);
    } finally {
      disposeModel(model);
    }
  });

  it('initialises deterministically from the seed, Glorot-uniform within ±√(6/(fan_in+fan_out))', async () => {
    await loadTf({ backend: 'wasm' });
    const config = makeModelConfig({ classNames: names(4), subclusters: 3 });
    const [a, b, c] = [await createModel(config, 1), await createModel(config, 1), await createModel(config, 2)];
    try {
      const va = parameterValues(a);
      expect(va).toEqual(parameterValues(b));
      expect(va).not.toEqual(parameterValues(c));
      const stem = va[0]!;
      const limit = Math.sqrt(6 / (49 + 49 * 16));
      expect(Math.max(...stem.map(Math.abs))).toBeLessThanOrEqual(limit);
      expect(Math.max(...stem.map(Math.abs))).toBeGreaterThan(0.9 * limit);
      // Centres: row k belongs to class ⌊k/S⌋; classCentres returns that class's S rows.
      expect(centreRows(a)).toHaveLength(12);
      expect(classCentres(a, 2)).toEqual(centreRows(a).slice(6, 9));
      expect(() => classCentres(a, 4)).toThrow(/out of range/);
    } finally {
      [a, b, c].forEach(disposeModel);
    }
  });

  it('rejects invalid configurations clearly', () => {
    expect(() => makeModelConfig({ classNames: names(3), subclusters: 65 })).toThrow(/1…64/);
    expect(() => makeModelConfig({ classNames: ['a'], subclusters: 1 })).toThrow(/at least 2 classes/);
    expect(() => makeModelConfig({ classNames: ['a', 'a'], subclusters: 1 })).toThrow(/unique/);
  });
});
