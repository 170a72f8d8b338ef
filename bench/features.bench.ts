/**
 * Figures of issue 3: log-Mel and decode speed for a 10 s clip (single thread), extraction
 * throughput over worker threads, and memory held while extracting many clips. The clips are
 * generated here (distinct content each, so the content-hash cache cannot short-cut them).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeAudioBytes } from '../src/engine/audio/decode.ts';
import { encodeWav } from '../src/engine/audio/wav-encode.ts';
import { FeatureCache } from '../src/engine/features/cache.ts';
import { logMelSpectrogram } from '../src/engine/features/logmel.ts';
import type { Benchmark } from './harness.ts';
import { ratePerS, timeMs } from './harness.ts';

const CLIP_SAMPLES = 160_000; // 10 s at 16 kHz
const EXTRACTION_THREADS = Math.min(2, os.availableParallelism());
const MEMORY_CLIPS = Number(process.env.AUSCULT_BENCH_MEMORY_CLIPS ?? 10_000);

function noiseClip(seed: number): Float32Array {
  const x = new Float32Array(CLIP_SAMPLES);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000) + 0.2 * (s / 2 ** 32 - 0.5);
  }
  return x;
}

let clip: Float32Array;
let clipWav: Uint8Array;

function prepareClip(): void {
  clip ??= noiseClip(1);
  clipWav ??= encodeWav([clip], 16000, { kind: 'pcm', bits: 16 });
  for (let i = 0; i < 20; i++) logMelSpectrogram(decodeAudioBytes(clipWav, 'warm-up.wav').samples); // JIT warm-up
}

/** Writes `count` distinct 10 s 16-bit WAVs (one base clip with a different first sample each). */
function writeClips(dir: string, count: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const base = encodeWav([noiseClip(7)], 16000, { kind: 'pcm', bits: 16 });
  const view = new DataView(base.buffer);
  const dataStart = base.length - CLIP_SAMPLES * 2;
  return Array.from({ length: count }, (_, i) => {
    view.setInt16(dataStart, i - 16384, true);
    view.setInt16(dataStart + 2, i >> 15, true);
    const file = path.join(dir, `clip_${String(i).padStart(5, '0')}.wav`);
    fs.writeFileSync(file, base);
    return file;
  });
}

let workDir: string | undefined;
let files: string[] = [];
let rep = 0;

function memoryFigure(): Benchmark[] {
  let peakRssMb = 0;
  let peakHeapMb = 0;
  let measured = false;
  const measure = async (): Promise<void> => {
    if (measured) return;
    measured = true;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-bench-mem-'));
    try {
      const many = writeClips(path.join(dir, 'audio'), MEMORY_CLIPS);
      const sample = (): void => {
        const m = process.memoryUsage();
        peakRssMb = Math.max(peakRssMb, m.rss / 2 ** 20);
        peakHeapMb = Math.max(peakHeapMb, m.heapUsed / 2 ** 20);
      };
      const timer = setInterval(sample, 20);
      try {
        const outcomes = await new FeatureCache(path.join(dir, 'cache')).extractFiles(many, {
          threads: EXTRACTION_THREADS,
        });
        if (outcomes.some((o) => !o.ok)) throw new Error('some clips failed');
      } finally {
        clearInterval(timer);
        sample();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  return [
    {
      name: `extract ${MEMORY_CLIPS} clips: peak main-thread heap`,
      unit: 'MB',
      compare: '"no more than a few hundred MB of heap"',
      reps: 1,
      setup: measure,
      run: () => peakHeapMb,
    },
    {
      name: `extract ${MEMORY_CLIPS} clips: peak process RSS (all threads)`,
      unit: 'MB',
      compare: 'includes worker heaps and native buffers',
      reps: 1,
      setup: measure,
      run: () => peakRssMb,
    },
  ];
}

/**
 * Wall-clock throughput of extracting 1,000 clips, and the same work expressed in CPU time (all
 * threads), which the other processes on a shared machine do not inflate: 2 cores ÷ CPU time per
 * clip is what the two cores could do if they were ours alone.
 */
function extractionFigures(): Benchmark[] {
  const cpuRates: number[] = [];
  const cores = EXTRACTION_THREADS;
  return [
    {
      name: `extract 1,000 10 s clips from disk (${cores} workers)`,
      unit: 'clips/s',
      compare: 'target ≥ 150 clips/s on 2 cores (hash + decode + logMel + cache write)',
      reps: 3,
      setup: () => {
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-bench-extract-'));
        files = writeClips(path.join(workDir, 'audio'), 1000);
      },
      run: async () => {
        const cache = new FeatureCache(path.join(workDir!, `cache-${rep++}`));
        let failed = 0;
        const cpu0 = process.cpuUsage();
        const rate = await ratePerS(files.length, async () => {
          failed = (await cache.extractFiles(files, { threads: cores })).filter((o) => !o.ok).length;
        });
        const cpu = process.cpuUsage(cpu0);
        cpuRates.push((cores * files.length) / ((cpu.user + cpu.system) / 1e6));
        if (failed) throw new Error(`${failed} clips failed`);
        return rate;
      },
      teardown: () => {
        if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
      },
    },
    {
      name: `extract 1,000 clips: ${cores} cores ÷ CPU time per clip`,
      unit: 'clips/s',
      compare: 'capacity of 2 unshared cores (process CPU time, all threads)',
      reps: 3,
      run: () => {
        const r = cpuRates.shift();
        if (r === undefined) throw new Error('run together with the wall-clock extraction figure');
        return r;
      },
    },
  ];
}

/** Reading training windows back: one 313 × 128 window per positioned read (OS page cache warm). */
function windowReadFigure(): Benchmark {
  let dir = '';
  let cache: FeatureCache;
  let keys: string[] = [];
  const batch = new Float32Array(64 * 313 * 128);
  return {
    name: 'FeatureCache.readWindow, batch of 64 windows',
    unit: 'ms',
    compare: 'per training batch; 160 kB per window',
    reps: 10,
    setup: async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-bench-read-'));
      cache = new FeatureCache(path.join(dir, 'cache'));
      const outcomes = await cache.extractFiles(writeClips(path.join(dir, 'audio'), 64), { threads: 0 });
      keys = outcomes.map((o) => (o.ok ? o.recording.key : ''));
    },
    run: () =>
      timeMs(() => {
        for (let i = 0; i < 64; i++)
          cache.readWindow(keys[(i * 37) % 64]!, 0, batch.subarray(i * 40064, (i + 1) * 40064));
      }),
    teardown: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'logMel 10 s clip (1 thread)',
    unit: 'ms',
    compare: 'target ≤ 8 ms; numpy (vectorised) 16.5 ms',
    reps: 40,
    setup: prepareClip,
    run: () => timeMs(() => logMelSpectrogram(clip)),
  },
  {
    name: 'decode + logMel 10 s 16-bit WAV (1 thread)',
    unit: 'ms',
    compare: 'target ≤ 10 ms (bytes in memory)',
    reps: 40,
    setup: prepareClip,
    run: () => timeMs(() => logMelSpectrogram(decodeAudioBytes(clipWav, 'clip.wav').samples)),
  },
  ...extractionFigures(),
  windowReadFigure(),
  ...memoryFigure(),
];
