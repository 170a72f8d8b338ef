import { describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import { loadTf, parseBackendName } from '../../src/engine/tf.ts';

/** A small conv net (conv → leaky ReLU → BN(inference) → max-pool → dense) with fixed weights. */
function smallConvNet(tf: typeof tfjs, seed: number) {
  const input = tf.input({ shape: [32, 24, 1] });
  let h = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(input) as tfjs.SymbolicTensor;
  h = tf.layers.leakyReLU({ alpha: 0.1 }).apply(h) as tfjs.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tfjs.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(h) as tfjs.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tfjs.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tfjs.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }).apply(h) as tfjs.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

async function runOn(backend: 'wasm' | 'cpu', x: Float32Array): Promise<Float32Array> {
  const { tf } = await loadTf({ backend });
  const model = smallConvNet(tf, 7);
  const out = tf.tidy(() => model.predict(tf.tensor4d(x, [4, 32, 24, 1])) as tfjs.Tensor);
  const data = (await out.data()) as Float32Array;
  out.dispose();
  model.dispose();
  return data;
}

describe('TensorFlow.js backend selection', () => {
  it('parses backend names and rejects unknown ones', () => {
    expect(parseBackendName('WASM')).toBe('wasm');
    expect(parseBackendName('native')).toBe('tensorflow');
    expect(() => parseBackendName('webgpu')).toThrow(/Unknown TensorFlow.js backend "webgpu"/);
  });

  it('falls back from the missing native backend and reports why', async () => {
    const rt = await loadTf();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(rt.backend);
    if (rt.backend !== 'tensorflow') expect(rt.skipped[0]?.backend).toBe('tensorflow');
  });

  it('gives the same outputs for a small conv net on wasm and cpu', async () => {
    const x = new Float32Array(4 * 32 * 24);
    let s = 1;
    for (let i = 0; i < x.length; i++) x[i] = ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const wasm = await runOn('wasm', x);
    const cpu = await runOn('cpu', x);
    expect(wasm.length).toBe(40);
    let maxRel = 0;
    for (let i = 0; i < cpu.length; i++) maxRel = Math.max(maxRel, Math.abs(wasm[i]! - cpu[i]!) / (Math.abs(cpu[i]!) + 1e-3));
    expect(maxRel).toBeLessThan(1e-4);
    expect(cpu.some((v) => v !== 0)).toBe(true);
  });
});
