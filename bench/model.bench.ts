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
 * Figures before issue 14: main at 700ab4b, this benchmark's child on a quiet 2-vCPU machine,
 * 2026-12-06, medians of 3 (1 thread was main's default, 2 threads its opt-in).
 */
const BEFORE: Record<string, Record<number, string>> = {
  'train S=1': { 1: 'before: 24.6 samples/s', 2: 'before: 32.9 samples/s; target ≥ 49 (2 × issue 14\'s 24.5)' },
  'train S=32': { 1: 'before: 24.3 samples/s', 2: 'before: 32.9 samples/s; target ≥ 49' },
  'inference S=1': { 1: 'before: 128 clips/s', 2: 'before: 225 clips/s; target ≥ 200' },
  'inference S=32': { 1: 'before: 126 clips/s', 2: 'before: 209 clips/s; target ≥ 200' },
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
