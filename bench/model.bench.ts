/**
 * Embedding-model throughput on the wasm backend on 1 and 2 threads (one child process per thread
 * count, model-throughput-run.ts: the thread count is fixed when wasm starts): a training step
 * (batch 64, mixed labels, Adam, BN updates) and batched inference, S = 1 and S = 32, C = 41.
 * Wall time is what a user waits for; "CPU time" divides by the process's CPU time over all
 * threads (on a shared machine: what the work costs, not how long it waited for a core).
 * ≈ 1.5 min per thread count.
 */
import type { Benchmark } from './harness.ts';
import { childResult } from './model-child.ts';


interface Throughput {
  threads: number;
  rates: Record<string, { wall: number[]; cpu: number[] }>;
  peakRssMb: number;
}

/**
 * Figures before issue 14 (main at 700ab4b): 1 thread from the README of 2026-11-28 (quiet
 * machine); 2 threads (opt-in there) from an interleaved A/B on 2026-11-29 (shared machine, best of 6).
 */
const BEFORE: Record<string, Record<number, string>> = {
  'train S=1': { 1: 'before: 19.9 samples/s', 2: 'before: 22.6 samples/s (issue 14: 31.8 at C = 12); target ≥ 49' },
  'train S=32': { 1: 'before: 21.0 samples/s', 2: 'before: 35.4 samples/s; target ≥ 49' },
  'inference S=1': { 1: 'before: 105 clips/s', 2: 'before: 110 clips/s; target ≥ 200' },
  'inference S=32': { 1: 'before: 99 clips/s', 2: 'before: 233 clips/s; target ≥ 200' },
};


function benchmarksFor(threads: number): Benchmark[] {
  const result = childResult<Throughput>('model-throughput-run.ts', threads);
  const label = `${threads} thread${threads === 1 ? '' : 's'}`;
  const figures: Benchmark[] = [];
  for (const key of Object.keys(BEFORE)) {
    for (const clock of ['wall', 'cpu'] as const) {
      let i = 0;
      const training = key.startsWith('train');
      figures.push({
        name: `model ${training ? `train step ${key.slice(6)} batch 64` : `${key} 64 clips`} (${label}, ${clock === 'wall' ? 'wall' : 'CPU'} time)`,
        unit: `${training ? 'samples' : 'clips'}/${clock === 'wall' ? 's' : 'cpu-s'}`,
        compare: BEFORE[key]![threads]!,
        reps: Number(process.env.BENCH_REPS ?? 3),
        setup: () => {
          i = 0;
        },
        run: () => result().rates[key]![clock][i++]!,
      });
    }
  }
  figures.push({
    name: `model training peak RSS (${label}, process)`,
    unit: 'MB',
    compare: 'budget < 4096 MB for 40,000 cached clips',
    reps: 1,
    run: () => result().peakRssMb,
  });
  return figures;
}

export const benchmarks: Benchmark[] = [...benchmarksFor(1), ...benchmarksFor(2)];
