/**
 * Child process of `npm run bench -- model`: training and inference throughput of the embedding
 * model on the wasm backend with this process's thread count (AUSCULT_WASM_THREADS), printed as
 * one JSON line. One training step is batch 64 with mixed labels, Adam and BN updates; inference
 * embeds 64 clips in batches of 32; C = 41 (DCASE 2020), S = 1 and 32; random normalised windows
 * (throughput does not depend on the values). Each figure: `REPS` samples, wall and CPU time.
 */
import { loadTf } from '../src/engine/tf.ts';
import { Random } from '../src/engine/datasets/prng.ts';
import { makeModelConfig, WINDOW_VALUES } from '../src/engine/model/config.ts';
import { createModel, disposeModel } from '../src/engine/model/model.ts';
import { embedWindows } from '../src/engine/model/embed.ts';
import { Adam, trainStep, type StepInput } from '../src/engine/model/train-step.ts';

const CLASSES = 41;
const BATCH = 64;
const INFER_CLIPS = 64;
const REPS = Number(process.env.BENCH_REPS ?? 3);

function randomBatch(n: number, seed: number): StepInput {
  const rng = new Random(seed);
  const x = Float32Array.from({ length: n * WINDOW_VALUES }, () => rng.normal(0, 1));
  const yMixed = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) {
    const lambda = rng.next();
    yMixed[i * CLASSES + (i % CLASSES)] += lambda;
    yMixed[i * CLASSES + ((n - 1 - i) % CLASSES)] += 1 - lambda;
  }
  return { x, yMixed, sampleWeights: new Float32Array(n).fill(1), n };
}

/** Items per second of wall time and of this process's CPU time (all threads) over REPS runs. */
function rates(count: number, fn: () => unknown): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    const d = process.cpuUsage(c0);
    wall.push(count / ((performance.now() - t0) / 1000));
    cpu.push(count / ((d.user + d.system) / 1e6));
  }
  return { wall, cpu };
}

const { threads } = await loadTf({ backend: 'wasm' });
const classNames = Array.from({ length: CLASSES }, (_, i) => `c${i}`);
const out: Record<string, { wall: number[]; cpu: number[] }> = {};
for (const subclusters of [1, 32]) {
  const model = await createModel(makeModelConfig({ classNames, subclusters }), 1);
  const { tf } = await loadTf();
  const adam = new Adam(tf);
  const batch = randomBatch(BATCH, 2);
  trainStep(model, adam, batch); // warm-up: XNNPack operator creation, JIT
  out[`train S=${subclusters}`] = rates(BATCH, () => trainStep(model, adam, batch));
  adam.dispose();
  const x = randomBatch(INFER_CLIPS, 3).x;
  const windows = Array.from({ length: INFER_CLIPS }, (_, i) => x.subarray(i * WINDOW_VALUES, (i + 1) * WINDOW_VALUES));
  embedWindows(model, windows.slice(0, 32));
  out[`inference S=${subclusters}`] = rates(INFER_CLIPS, () => embedWindows(model, windows));
  disposeModel(model);
}
process.stdout.write(JSON.stringify({ threads, rates: out, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
