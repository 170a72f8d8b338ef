/**
 * `npm run bench -- train-profile`: where a training step's time goes, by kernel class, on 1 and
 * 2 wasm threads (one child process each: the thread count is fixed when wasm starts). The child
 * (model-profile-run.ts) trains through the real trainer, C = 12, S = 4, batch 64; each figure is
 * the median over the measured steps of milliseconds per step. ≈ 1 min per thread count.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './harness.ts';
import { KERNEL_CLASSES } from './model-profile-classes.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'model-profile-run.ts');
/** Figures of the step before this work (main at 700ab4b, same profiler), ms per step. */
const BEFORE: Record<number, string> = {
  1: 'main 1 thread: see README',
  2: 'main 2 threads: see README',
};

interface Profile {
  threads: number;
  stepMs: number[];
  perStep: Record<string, number>[];
}

function profileFor(threads: number): () => Profile {
  let cached: Profile | undefined;
  return () => {
    cached ??= JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', CHILD], {
        env: { ...process.env, AUSCULT_TF_BACKEND: 'wasm', AUSCULT_WASM_THREADS: String(threads) },
        encoding: 'utf8',
        maxBuffer: 16 << 20,
      })
        .trim()
        .split('\n')
        .at(-1)!,
    ) as Profile;
    if (cached.threads !== threads) throw new Error(`asked for ${threads} wasm threads, the child ran ${cached.threads}`);
    return cached;
  };
}

function profileBenchmarks(threads: number): Benchmark[] {
  const profile = profileFor(threads);
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
      compare: BEFORE[threads] ?? '',
      reps,
      ...sampler((p, s) => 64 / (p.stepMs[s]! / 1000)),
    },
    ...KERNEL_CLASSES.map(
      (c): Benchmark => ({
        name: `${label}: ${c}`,
        unit: 'ms/step',
        compare: 'share of the step: see README',
        reps,
        ...sampler((p, s) => p.perStep[s]![c] ?? 0),
      }),
    ),
  ];
}

export const benchmarks: Benchmark[] = [...profileBenchmarks(1), ...profileBenchmarks(2)];
