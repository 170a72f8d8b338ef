import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTf } from '../../../src/engine/tf.ts';
import { makeModelConfig, WINDOW_VALUES } from '../../../src/engine/model/config.ts';
import { createModel, disposeModel, parameterValues } from '../../../src/engine/model/model.ts';
import { embedWindows } from '../../../src/engine/model/embed.ts';
import { loadModel, loadModelWithState, saveModel } from '../../../src/engine/model/io.ts';
import { Adam, trainStep } from '../../../src/engine/model/train-step.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-model-io-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const windows = [0, 1].map((k) => Float32Array.from({ length: WINDOW_VALUES }, (_, i) => Math.sin(i * (0.013 + 0.004 * k)) + 0.1 * Math.cos(i * 0.7)));

/** A model after two training steps: moving BN statistics, centres and ŝ all moved from their start. */
async function trainedModel() {
  const { tf } = await loadTf({ backend: 'wasm' });
  const model = await createModel(makeModelConfig({ classNames: ['fan_id_00', 'pump_id_02', 'valve_id_04'], subclusters: 2, normStats: { mean: Array(128).fill(-40), std: Array(128).fill(12), frameCount: 626 } }), 9);
  const adam = new Adam(tf);
  const x = new Float32Array(2 * WINDOW_VALUES);
  windows.forEach((w, i) => x.set(w, i * WINDOW_VALUES));
  for (let s = 0; s < 2; s++) trainStep(model, adam, { x, yMixed: Float32Array.from([0.6, 0.4, 0, 0, 0.4, 0.6]), sampleWeights: Float32Array.from([1, 1]), n: 2 });
  model.history.push({ epoch: 1, loss: 1.5, scale: model.scale, samplesPerS: 3, durationS: 1 });
  adam.dispose();
  return model;
}

describe('model files (folder with model.json + weights.bin)', () => {
  it('round-trips config, weights, centres, ŝ and history, and gives the same embeddings', async () => {
    const model = await trainedModel();
    const dir = path.join(tmp, 'round-trip');
    await saveModel(dir, model);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
    const loaded = await loadModel(dir);
    try {
      expect(loaded.config).toEqual(model.config);
      expect(loaded.scale).toBe(model.scale);
      expect(loaded.steps).toBe(2);
      expect(loaded.history).toEqual(model.history);
      expect(parameterValues(loaded)).toEqual(parameterValues(model));
      expect(embedWindows(loaded, windows)).toEqual(embedWindows(model, windows));
    } finally {
      disposeModel(model);
      disposeModel(loaded);
    }
  });

  it('a model saved on wasm loads on the cpu backend and gives the same embeddings (≤ 1e-4)', async () => {
    const model = await trainedModel();
    const dir = path.join(tmp, 'cross-backend');
    await saveModel(dir, model);
    const onWasm = embedWindows(model, windows);
    disposeModel(model);
    await loadTf({ backend: 'cpu' });
    const onCpu = await loadModel(dir);
    try {
      const r = embedWindows(onCpu, windows);
      for (let i = 0; i < windows.length; i++) {
        const scale = Math.max(...onWasm.embeddings[i]!.map(Math.abs));
        r.embeddings[i]!.forEach((v, k) => expect(Math.abs(v - onWasm.embeddings[i]![k]!) / scale).toBeLessThan(1e-4));
        r.classProbs[i]!.forEach((p, k) => expect(Math.abs(p - onWasm.classProbs[i]![k]!)).toBeLessThan(1e-4));
      }
    } finally {
      disposeModel(onCpu);
      await loadTf({ backend: 'wasm' });
    }
  }, 300_000);

  it('replaces an existing model atomically, keeps checkpoints’ trainer state, refuses foreign folders', async () => {
    const { tf } = await loadTf({ backend: 'wasm' });
    const model = await trainedModel();
    const dir = path.join(tmp, 'replace');
    await saveModel(dir, model);
    model.scale = 7.25;
    const adam = new Adam(tf);
    adam.restore({ step: 3, m: { centres: new Float32Array(128 * 6).fill(0.5) }, v: { centres: new Float32Array(128 * 6).fill(0.25) } }, new Map([['centres', [128, 6]]]));
    await saveModel(dir, model, { epoch: 4, seed: 9, batchSize: 2, epochs: 10, adam: adam.state() });
    const { model: again, trainer } = await loadModelWithState(dir);
    expect(again.scale).toBe(7.25);
    expect(trainer?.epoch).toBe(4);
    expect(trainer?.adam.step).toBe(3);
    expect(trainer?.adam.m.centres?.[5]).toBe(0.5);
    expect(trainer?.adam.v.centres?.length).toBe(128 * 6);
    const foreign = path.join(tmp, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'keep me');
    await expect(saveModel(foreign, model)).rejects.toThrow(/not a model folder; refusing/);
    expect(fs.readFileSync(path.join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');
    [model, again].forEach(disposeModel);
    adam.dispose();
  });

  it('names the file and the problem for missing, foreign and truncated model files', async () => {
    await expect(loadModel(path.join(tmp, 'nope'))).rejects.toThrow(/nope: not a model folder \(no model.json\)/);
    const model = await trainedModel();
    const dir = path.join(tmp, 'damaged');
    await saveModel(dir, model);
    disposeModel(model);
    const bin = path.join(dir, 'weights.bin');
    fs.truncateSync(bin, fs.statSync(bin).size - 4096);
    await expect(loadModel(dir)).rejects.toThrow(/weights\.bin: is cut short/);
    const json = path.join(dir, 'model.json');
    fs.writeFileSync(json, JSON.stringify({ format: 'something-else' }));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: is not an Auscult embedding model/);
  });
});
