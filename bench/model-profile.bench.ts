/**
 * `npm run bench -- train-profile`: where a training step's time goes, by kernel class, on 1 and
 * 2 wasm threads (one child process each: the thread count is fixed when wasm starts). The child
 * (model-profile-run.ts) trains through the real trainer, C = 12, S = 4, batch 64; each figure is
 * the median over the measured steps of milliseconds per step. ≈ 1 min per thread count.
 */
import type { Benchmark } from './harness.ts';
import { childResult } from './model-child.ts';
import { KERNEL_CLASSES } from './model-profile-classes.ts';

/** Before this work (main at 700ab4b): issue 14's samples/s (quiet machine, C = 12, S = 4). */
const BEFORE_RATE: Record<number, string> = {
  1: 'before: 24.5 samples/s (issue 14, quiet machine)',
  2: 'before: 31.8 samples/s (issue 14, quiet machine)',
};
/** Before, 1 thread: CPU ms per step by class (same profiler on main, PROFILE_CLOCK=cpu, shared machine). */
const BEFORE_CPU_MS: Record<string, number> = {
  'conv forward': 432,
  'conv input gradient': 496,
  'conv filter gradient': 893,
  BatchNorm: 281,
  pooling: 177,
  'element-wise': 289,
  'head (dense, cosine, softmax, loss)': 16,
  'optimizer (Adam)': 9,
  'host↔wasm copies': 7,
  'data wait': 70,
  'other (tape, glue)': 35,
};

interface Profile {
  threads: number;
  stepMs: number[];
  perStep: Record<string, number>[];
}


function profileBenchmarks(threads: number): Benchmark[] {
  const profile = childResult<Profile>('model-profile-run.ts', threads);
  const label = `train-profile ${threads} thread${threads === 1 ? '' : 's'}`;
  let i = 0;
  const sampler = (pick: (p: Profile, step: number) => number): Pick<Benchmark, 'setup' | 'run'> => ({
    setup: () => {
      i = 0;
    },
    run: () => {
      const p = profile();
      return pick(p, i++ % p.stepMs.length);
    },
  });
  const reps = Number(process.env.PROFILE_STEPS ?? 4);
  return [
    {
      name: `${label}: training step`,
      unit: 'samples/s',
      compare: BEFORE_RATE[threads] ?? '',
      reps,
      ...sampler((p, s) => 64 / (p.stepMs[s]! / 1000)),
    },
    ...KERNEL_CLASSES.map(
      (c): Benchmark => ({
        name: `${label}: ${c}`,
        unit: 'ms/step',
        compare: `before, 1 thread: ${BEFORE_CPU_MS[c]} ms CPU`,
        reps,
        ...sampler((p, s) => p.perStep[s]![c] ?? 0),
      }),
    ),
  ];
}

export const benchmarks: Benchmark[] = [...profileBenchmarks(1), ...profileBenchmarks(2)];
