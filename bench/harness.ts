/**
 * Micro-benchmark harness. Each `bench/*.bench.ts` file exports `benchmarks: Benchmark[]`;
 * `npm run bench [-- filter]` runs them and prints one line per figure.
 */
export interface Benchmark {
  /** Figure name, e.g. "logMel 10 s clip (1 thread)". */
  name: string;
  /** Unit of the samples `run` returns, e.g. "ms", "clips/s". */
  unit: string;
  /** What the figure is compared against (a target, a reference implementation's time). */
  compare: string;
  /** Repetitions (samples) to take; default 5. */
  reps?: number;
  /** One-off preparation, not measured. */
  setup?: () => Promise<void> | void;
  /** Runs once and returns one sample in `unit` (measure inside with `time`/`rate`). */
  run: () => Promise<number> | number;
  teardown?: () => Promise<void> | void;
}

/** Milliseconds taken by `fn`. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Items per second for `fn` processing `count` items. */
export async function ratePerS(count: number, fn: () => unknown): Promise<number> {
  return count / ((await timeMs(fn)) / 1000);
}

export interface BenchResult {
  name: string;
  unit: string;
  compare: string;
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarize(b: Pick<Benchmark, 'name' | 'unit' | 'compare'>, samples: number[]): BenchResult {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { name: b.name, unit: b.unit, compare: b.compare, median, min: sorted[0]!, max: sorted.at(-1)!, samples };
}

function fmt(x: number): string {
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

export function formatResult(r: BenchResult): string {
  return `${r.name.padEnd(52)} median ${fmt(r.median).padStart(8)}  min ${fmt(r.min).padStart(8)}  max ${fmt(r.max).padStart(8)} ${r.unit.padEnd(10)} vs ${r.compare}`;
}

export async function runBenchmark(b: Benchmark): Promise<BenchResult> {
  await b.setup?.();
  try {
    const samples: number[] = [];
    for (let i = 0; i < (b.reps ?? 5); i++) samples.push(await b.run());
    return summarize(b, samples);
  } finally {
    await b.teardown?.();
  }
}
