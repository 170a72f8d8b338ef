/**
 * Multi-threaded wasm in Node: by default one thread per core (capped), AUSCULT_WASM_THREADS
 * overrides; the backend starts with that thread pool and computes the same convolution as the
 * single-threaded one.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_DIR } from '../../helpers/shared.ts';
import { defaultWasmThreads, FREE_CORES_SAMPLE_MS, idleCoresBetween, threadsForIdleCores, WASM_THREADS_CAP } from '../../../src/engine/tf.ts';

const run = promisify(execFile);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-wasm-threads-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const scriptFile = path.join(tmp, 'conv.mts');
fs.writeFileSync(
  scriptFile,
  `
import { describeTfRuntime, loadTf } from ${JSON.stringify(pathToFileURL(path.join(REPO_DIR, 'src/engine/tf.ts')).href)};
const rt = await loadTf({ backend: 'wasm' });
const { tf } = rt;
const x = tf.tensor4d(Float32Array.from({ length: 2 * 40 * 24 * 16 }, (_, i) => Math.sin(i * 0.37)), [2, 40, 24, 16]);
const k = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 16 * 32 }, (_, i) => Math.cos(i * 0.11)), [3, 3, 16, 32]);
const y = tf.conv2d(x, k, 1, 'same');
console.log(JSON.stringify({ threads: rt.threads, source: rt.threadsSource, line: describeTfRuntime(rt), sum: tf.sum(tf.abs(y)).dataSync()[0] }));
`,
);

interface ConvResult {
  threads: number;
  source: string;
  line: string;
  sum: number;
}

/** Runs the convolution in a fresh process with AUSCULT_WASM_THREADS = `threads` (unset: undefined). */
const trainFile = path.join(tmp, 'train.mts');
fs.writeFileSync(
  trainFile,
  `
import { createHash } from 'node:crypto';
const src = (p) => new URL(p, ${JSON.stringify(pathToFileURL(path.join(REPO_DIR, 'src/')).href)}).href;
const { loadTf } = await import(src('engine/tf.ts'));
const { Random } = await import(src('engine/datasets/prng.ts'));
const { WINDOW_VALUES } = await import(src('engine/model/config.ts'));
const { parameterValues } = await import(src('engine/model/model.ts'));
const { inMemoryTrainingSet } = await import(src('engine/model/training-set.ts'));
const { trainModel } = await import(src('engine/model/trainer.ts'));
const rt = await loadTf({ backend: 'wasm' });
const rng = new Random(5);
const windows = Array.from({ length: 16 }, () => Float32Array.from({ length: WINDOW_VALUES }, () => rng.normal(0, 1)));
const set = inMemoryTrainingSet(windows, windows.map((_, i) => i % 3), 3);
const { model } = await trainModel(set, { subclusters: 2, epochs: 2, batchSize: 8, seed: 1 });
const hash = createHash('sha256');
for (const v of parameterValues(model)) hash.update(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
console.log(JSON.stringify({ threads: rt.threads, hash: hash.digest('hex'), scale: model.scale }));
`,
);

async function convIn(threads: string | undefined): Promise<ConvResult> {
  return runIn<ConvResult>(scriptFile, threads);
}

async function runIn<T>(file: string, threads: string | undefined): Promise<T> {
  const env = { ...process.env, AUSCULT_WASM_THREADS: threads };
  if (threads === undefined) delete env.AUSCULT_WASM_THREADS;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: REPO_DIR, env, encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

describe('multi-threaded wasm in Node', () => {
  it('starts 2 threads when asked and gives the single-threaded result', async () => {
    const [one, two] = await Promise.all([convIn('1'), convIn('2')]);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(Math.abs(two.sum - one.sum) / one.sum).toBeLessThan(1e-6);
    expect(two.line).toMatch(/^wasm, 2 threads \(AUSCULT_WASM_THREADS\)/);
  }, 300_000);

  it('uses the free cores (at least 1, at most WASM_THREADS_CAP) when AUSCULT_WASM_THREADS is unset', async () => {
    const r = await convIn(undefined);
    // The load average moves while the child starts, so only the bounds are fixed.
    expect(r.threads).toBeGreaterThanOrEqual(1);
    expect(r.threads).toBeLessThanOrEqual(Math.min(WASM_THREADS_CAP, os.availableParallelism()));
    expect(r.source).toBe('cores');
    expect(r.line).toMatch(new RegExp(`^wasm, ${r.threads} threads? \\(default: ${os.availableParallelism()} cores?, [0-9.]+ idle over ${FREE_CORES_SAMPLE_MS} ms, at most ${WASM_THREADS_CAP}; AUSCULT_WASM_THREADS overrides\\)`));
    expect((await defaultWasmThreads(50)).threads).toBeGreaterThanOrEqual(1);
  }, 300_000);

  it('counts idle cores from two os.cpus() readings and rounds them to a thread count within the bounds', () => {
    const cpu = (user: number, idle: number) => ({ times: { user, nice: 0, sys: 0, idle, irq: 0 } });
    // Core 0 fully busy, core 1 idle three quarters of the time: 0.75 idle cores of 2.
    expect(idleCoresBetween([cpu(0, 0), cpu(0, 0)], [cpu(100, 0), cpu(25, 75)])).toBeCloseTo(0.75);
    // Both idle (another process's burst long ago does not count, unlike a load average).
    expect(idleCoresBetween([cpu(5000, 0), cpu(5000, 0)], [cpu(5000, 100), cpu(5000, 100)])).toBe(2);
    expect(threadsForIdleCores(0.75, 2)).toBe(1);
    expect(threadsForIdleCores(1.6, 2)).toBe(2);
    expect(threadsForIdleCores(0.2, 2)).toBe(1);
    expect(threadsForIdleCores(15.7, 16)).toBe(WASM_THREADS_CAP);
  });

  it('trains to bit-identical weights on 1, 2 and 3 threads (XNNPack tiles and our fixed chunks keep every sum in order)', async () => {
    type Run = { threads: number; hash: string; scale: number };
    const [one, two, three] = [await runIn<Run>(trainFile, '1'), await runIn<Run>(trainFile, '2'), await runIn<Run>(trainFile, '3')];
    expect([one.threads, two.threads, three.threads]).toEqual([1, 2, 3]);
    expect(Number.isFinite(one.scale)).toBe(true);
    // 3 threads deal 8 chunks unevenly (3, 3, 2) and cut the filter gradient in 3: still the same sums.
    for (const other of [two, three]) {
      expect(other.hash).toBe(one.hash);
      expect(other.scale).toBe(one.scale);
    }
  }, 600_000);
});
