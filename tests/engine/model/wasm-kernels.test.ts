/**
 * The custom wasm kernels (src/engine/tf-kernels) against tfjs' cpu backend: relative error
 * max|wasm − cpu| / max|cpu| ≤ 1e-4; and the whole gradient of a small batch through the real
 * network: cosine ≥ 0.999 per variable. For that whole-network check the cpu reference uses the
 * convolution-gradient kernels verified in the first block (its own Conv2DBackpropFilter takes
 * 80 s for one 2-window batch here); everything else in it is tfjs' own cpu code.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadTf } from '../../../src/engine/tf.ts';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL, LEAKY_RELU_GRAD_KERNEL, registerConvGradKernels } from '../../../src/engine/tf-kernels/index.ts';
import { makeModelConfig, WINDOW_VALUES } from '../../../src/engine/model/config.ts';
import { createModel, disposeModel, modelFromValues, parameterValues } from '../../../src/engine/model/model.ts';
import { trainingBatchNorm } from '../../../src/engine/model/network.ts';
import { lossAndGradients } from '../../../src/engine/model/train-step.ts';
import { Random } from '../../../src/engine/datasets/prng.ts';
import { cosine } from '../../helpers/vectors.ts';

function randomArray(n: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Runs `f` on the cpu and on the wasm backend with the same inputs; returns both outputs. */
async function onBothBackends(inputs: { values: Float32Array; shape: number[] }[], f: (tf: typeof tfjs, xs: tfjs.Tensor[]) => tfjs.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const out: Float32Array[][] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    const { tf } = await loadTf({ backend });
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape));
    const ys = f(tf, xs);
    out.push(ys.map((y) => Float32Array.from(y.dataSync() as Float32Array)));
    tf.dispose([...xs, ...ys]);
  }
  return out as [Float32Array[], Float32Array[]];
}

describe('wasm convolution gradients (Conv2DBackpropFilter / Conv2DBackpropInput via Conv2D)', () => {
  // The network's convolution configurations on smaller spatial sizes (same kernel, stride, padding).
  const cases = [
    { name: 'stem 7×7/2 same', x: [3, 33, 20, 1], f: [7, 7, 1, 16], s: 2 },
    { name: '3×3/1 same', x: [3, 15, 9, 16], f: [3, 3, 16, 16], s: 1 },
    { name: '3×3/2 same, odd sizes', x: [3, 15, 9, 16], f: [3, 3, 16, 32], s: 2 },
    { name: '3×3/2 same, even sizes', x: [2, 10, 8, 32], f: [3, 3, 32, 64], s: 2 },
    { name: 'shortcut 1×1/1', x: [3, 8, 5, 16], f: [1, 1, 16, 32], s: 1 },
    { name: '3×3/2 valid', x: [2, 11, 10, 8], f: [3, 3, 8, 4], s: 2, pad: 'valid' as const },
    { name: '1×1/2 same (zero-insertion path)', x: [2, 9, 8, 4], f: [1, 1, 4, 6], s: 2 },
    { name: '5×5/3 same', x: [2, 13, 11, 3], f: [5, 5, 3, 4], s: 3 },
    { name: '3×3/2 valid with a remainder, 8 → 8', x: [2, 12, 11, 8], f: [3, 3, 8, 8], s: 2, pad: 'valid' as const },
    { name: 'one channel 5×5/1 same (taps 4 at a time, a partial tile)', x: [2, 9, 10, 1], f: [5, 5, 1, 8], s: 1 },
  ];
  for (const c of cases) {
    it(`${c.name}: dx and dW match the cpu backend`, async () => {
      const [cpu, wasm] = await onBothBackends(
        [
          { values: randomArray(size(c.x), 1), shape: c.x },
          { values: randomArray(size(c.f), 2), shape: c.f },
        ],
        (tf, [x, f]) => {
          const pad: 'same' | 'valid' = ('pad' in c && c.pad) || 'same';
          const y = tf.conv2d(x as tfjs.Tensor4D, f as tfjs.Tensor4D, c.s, pad);
          const dy = tf.sin(tf.reshape(tf.range(0, y.size), y.shape));
          const g = tf.grads((a: tfjs.Tensor, b: tfjs.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tfjs.Tensor4D, b as tfjs.Tensor4D, c.s, pad), dy)));
          return g([x!, f!]);
        },
      );
      expect(relError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
      expect(relError(wasm[1]!, cpu[1]!)).toBeLessThan(1e-4);
    });
  }
});

describe('wasm JavaScript kernels', () => {
  it('MaxPoolGrad (3×3/2 valid, 2×2/2 same, 10×1 same; SIMD and scalar) matches the cpu backend', async () => {
    const configs: [number[], [number, number], [number, number], 'valid' | 'same'][] = [
      [[2, 17, 12, 4], [3, 3], [2, 2], 'valid'],
      [[2, 15, 9, 4], [2, 2], [2, 2], 'same'],
      [[2, 10, 4, 8], [10, 1], [10, 1], 'same'],
      // Channels not a multiple of 4: the scalar kernel instead of the SIMD one.
      [[2, 9, 7, 3], [3, 3], [2, 2], 'same'],
    ];
    for (const [shape, f, s, pad] of configs) {
      const [cpu, wasm] = await onBothBackends([{ values: randomArray(size(shape), 3), shape }], (tf, [x]) => [
        tf.grad((a: tfjs.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tfjs.Tensor4D, f, s, pad), 1.5)))(x!),
      ]);
      expect(relError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
    }
  });

  it('Sum and Mean over leading axes (fast path) and other axes (fallback) match the cpu backend', async () => {
    const shape = [4, 6, 5, 3];
    const [cpu, wasm] = await onBothBackends([{ values: randomArray(size(shape), 4), shape }], (tf, [x]) => [
      tf.sum(x!, [0, 1, 2]),
      tf.mean(x!, [0, 1, 2], true),
      tf.sum(x!, 0),
      tf.mean(x!, [1, 2]),
      tf.sum(x!, -1),
      tf.sum(x!),
    ]);
    cpu.forEach((c, i) => expect(relError(wasm[i]!, c)).toBeLessThan(1e-5));
    expect(wasm[1]!.length).toBe(3);
    // Channel counts that are a multiple of 4 take the SIMD kernel.
    const wide = [3, 70, 5, 16];
    const [cpu16, wasm16] = await onBothBackends([{ values: randomArray(size(wide), 8), shape: wide }], (tf, [x]) => [
      tf.sum(x!, [0, 1, 2]),
      tf.mean(x!, [0, 1]),
    ]);
    cpu16.forEach((c, i) => expect(relError(wasm16[i]!, c)).toBeLessThan(1e-5));
  });

  it('Add of equal shapes (our kernel, odd size) and with broadcasting (wasm’s) matches the cpu backend', async () => {
    const shape = [3, 7, 5, 3];
    const [cpu, wasm] = await onBothBackends(
      [
        { values: randomArray(size(shape), 31), shape },
        { values: randomArray(size(shape), 32), shape },
        { values: randomArray(3, 33), shape: [3] },
      ],
      (tf, [a, b, c]) => [tf.add(a!, b!), tf.add(a!, c!)],
    );
    cpu.forEach((c, i) => expect(relError(wasm[i]!, c)).toBeLessThan(1e-6));
  });

  it('LeakyReLU (as PReLU), inference BatchNorm and Identity match the cpu backend', async () => {
    const shape = [3, 7, 5, 4];
    const [cpu, wasm] = await onBothBackends(
      [
        { values: randomArray(size(shape), 11), shape },
        { values: randomArray(4, 12), shape: [4] },
        { values: randomArray(4, 13).map((v) => v + 1.5), shape: [4] },
      ],
      (tf, [x, c, v]) => [tf.leakyRelu(x!, 0.1), tf.batchNorm(x!, c!, v!, c!, v!, 1e-3), tf.batchNorm(x!, c!, v!), tf.clone(x!)],
    );
    cpu.forEach((c, i) => expect(relError(wasm[i]!, c)).toBeLessThan(1e-5));
  });

  it('the LeakyReLU gradient runs as one kernel on wasm and matches the cpu backend', async () => {
    const shape = [3, 7, 5, 4];
    const [cpu, wasm] = await onBothBackends([{ values: randomArray(size(shape), 5), shape }], (tf, [x]) => [
      tf.grad((a: tfjs.Tensor) => tf.sum(tf.mul(tf.leakyRelu(a, 0.1), tf.range(0, a.size).reshape(a.shape))))(x!),
    ]);
    expect(relError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-5);
    const { tf } = await loadTf({ backend: 'wasm' });
    expect(tf.getKernel(LEAKY_RELU_GRAD_KERNEL, 'wasm')).toBeDefined();
  });

  it('training BatchNorm (fused forward and gradient kernels on wasm) matches the cpu backend', async () => {
    for (const shape of [[3, 7, 5, 16], [2, 4, 3, 64], [5, 9, 1]]) {
      const C = shape.at(-1)!;
      const [cpu, wasm] = await onBothBackends(
        [
          { values: randomArray(size(shape), 21).map((v) => 3 * v + 2), shape },
          { values: randomArray(C, 22).map((v) => v + 1), shape: [C] },
          { values: randomArray(C, 23), shape: [C] },
          { values: randomArray(size(shape), 24), shape },
        ],
        (tf, [x, g, b, w]) => {
          const stats: tfjs.Tensor[] = [];
          const y = trainingBatchNorm(tf, x!, g!, b!, (m, v) => stats.push(tf.keep(m), tf.keep(v)));
          const grads = tf.grads((a: tfjs.Tensor, gg: tfjs.Tensor, bb: tfjs.Tensor) => tf.sum(tf.mul(trainingBatchNorm(tf, a, gg, bb), w!)))([x!, g!, b!]);
          return [y, ...stats, ...grads];
        },
      );
      expect(wasm.length).toBe(6);
      cpu.forEach((c, i) => expect(relError(wasm[i]!, c), `output ${i} of shape ${shape.join('×')}`).toBeLessThan(1e-4));
    }
    const { tf } = await loadTf({ backend: 'wasm' });
    expect(tf.getKernel(BATCH_NORM_TRAIN_KERNEL, 'wasm')).toBeDefined();
    expect(tf.getKernel(BATCH_NORM_GRAD_KERNEL, 'wasm')).toBeDefined();
  });

  it('the analytic BatchNorm gradient equals autodiff of the plain formula', async () => {
    const { tf } = await loadTf({ backend: 'cpu' });
    const shape = [3, 5, 4, 6];
    const x = tf.tensor(randomArray(size(shape), 6), shape).mul(3).add(2);
    const gamma = tf.tensor1d(randomArray(6, 7)).add(1);
    const beta = tf.tensor1d(randomArray(6, 8));
    const weights = tf.tensor(randomArray(size(shape), 9), shape);
    const loss = (bn: (a: tfjs.Tensor, g: tfjs.Tensor, b: tfjs.Tensor) => tfjs.Tensor) => (a: tfjs.Tensor, g: tfjs.Tensor, b: tfjs.Tensor) => tf.sum(tf.mul(bn(a, g, b), weights));
    const plain = (a: tfjs.Tensor, g: tfjs.Tensor, b: tfjs.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-3))), g), b);
    };
    const ours = (a: tfjs.Tensor, g: tfjs.Tensor, b: tfjs.Tensor) => trainingBatchNorm(tf, a, g, b);
    const expected = tf.grads(loss(plain))([x, gamma, beta]);
    const got = tf.grads(loss(ours))([x, gamma, beta]);
    expect(relError(ours(x, gamma, beta).dataSync(), plain(x, gamma, beta).dataSync())).toBeLessThan(1e-5);
    got.forEach((g, i) => expect(relError(g.dataSync(), expected[i]!.dataSync())).toBeLessThan(1e-4));
  });
});

describe('whole gradient of the real network, wasm vs cpu', () => {
  it('every variable’s gradient of a 2-window batch has cosine ≥ 0.999, loss and ŝ agree', async () => {
    const n = 2;
    const classNames = ['a', 'b', 'c'];
    const config = makeModelConfig({ classNames, subclusters: 2 });
    const x = randomArray(n * WINDOW_VALUES, 10);
    const yMixed = Float32Array.from([0.7, 0.3, 0, 0, 0.4, 0.6]);
    const sampleWeights = Float32Array.from([1, 0.8]);
    const results: { loss: number; scale: number; grads: Map<string, Float32Array> }[] = [];
    let values: Float32Array[] | undefined;
    for (const backend of ['wasm', 'cpu'] as const) {
      const { tf } = await loadTf({ backend });
      const restore = backend === 'cpu' ? registerConvGradKernels(tf, 'cpu') : undefined;
      try {
        const model = values ? await modelFromValues(config, values) : await createModel(config, 3);
        values ??= parameterValues(model);
        const r = lossAndGradients(model, { x, yMixed, sampleWeights, n });
        results.push({
          loss: r.dataLoss + r.l2Loss,
          scale: r.scale.sNew,
          grads: new Map([...r.grads].map(([k, g]) => [k, Float32Array.from(g.dataSync() as Float32Array)])),
        });
        for (const g of r.grads.values()) g.dispose();
        for (const s of r.bnStats) tf.dispose([s.mean, s.variance]);
        disposeModel(model);
      } finally {
        restore?.();
      }
    }
    const [wasm, cpu] = results as [(typeof results)[0], (typeof results)[0]];
    expect(Math.abs(wasm.loss - cpu.loss) / cpu.loss).toBeLessThan(1e-4);
    expect(Math.abs(wasm.scale - cpu.scale) / cpu.scale).toBeLessThan(1e-4);
    expect(wasm.grads.size).toBe(cpu.grads.size);
    expect(cpu.grads.size).toBeGreaterThan(60);
    const norm = (a: Float32Array) => Math.hypot(...a);
    let compared = 0;
    for (const [name, g] of cpu.grads) {
      const w = wasm.grads.get(name)!;
      // Biases feeding straight into a BatchNorm have an exactly zero gradient (BN removes
      // per-channel shifts): both sides are rounding noise there, so only check they are tiny.
      if (/conv2\/bias|shortcut\/bias/.test(name)) {
        expect(norm(g), name).toBeLessThan(1e-5);
        expect(norm(w), name).toBeLessThan(1e-5);
        continue;
      }
      expect(cosine(w, g), name).toBeGreaterThanOrEqual(0.999);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  }, 120_000);
});
