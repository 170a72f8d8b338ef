/**
 * `npm run bench -- train-profile`: where a training step's time goes, by kernel class, on 1 and
 * 2 wasm threads (one child process each: the thread count is fixed when wasm starts). The child
 * (model-profile-run.ts) trains through the real trainer, C = 12, S = 4, batch 64; each figure is
 * the median over the measured steps of milliseconds per step. ≈ 1 min per thread count.
 */
import type { Benchmark } from './harness.ts';
import { childResult } from './model-child.ts';
import { KERNEL_CLASSES } from './model-profile-classes.ts';

/**
 * Before issue 14: main at 700ab4b with this profiler, quiet 2-vCPU machine, 2026-12-06 (the
 * profiler's wrappers cost a little; issue 14 measured 24.5 / 31.8 samples/s without them).
 */
const BEFORE_RATE: Record<number, string> = {
  1: 'before: 20.8 samples/s (issue 14 without profiler: 24.5)',
  2: 'before: 31.6 samples/s (issue 14: 31.8); target ≥ 49, aim 82 (0.4 × PyTorch)',
};
/** Before, ms per step by class and thread count (same run; data wait was not measured apart then). */
const BEFORE_MS: Record<number, Record<string, number>> = {
  1: {
    'conv forward': 861,
    'conv input gradient': 388,
    'conv filter gradient': 862,
    BatchNorm: 294,
    pooling: 174,
    'element-wise': 402,
    'head (dense, cosine, softmax, loss)': 8.6,
    'optimizer (Adam)': 9.3,
    'host↔wasm copies': 2.2,
    'other (tape, glue)': 64.5,
  },
  2: {
    'conv forward': 211,
    'conv input gradient': 268,
    'conv filter gradient': 661,
    BatchNorm: 275,
    pooling: 175,
    'element-wise': 356,
    'head (dense, cosine, softmax, loss)': 9.2,
    'optimizer (Adam)': 12.8,
    'host↔wasm copies': 2.6,
    'other (tape, glue)': 54.5,
  },
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
        compare: BEFORE_MS[threads]![c] === undefined ? 'before: not measured apart (in other)' : `before: ${BEFORE_MS[threads]![c]} ms`,
        reps,
        ...sampler((p, s) => p.perStep[s]![c] ?? 0),
      }),
    ),
  ];
}

export const benchmarks: Benchmark[] = [...profileBenchmarks(1), ...profileBenchmarks(2)];
