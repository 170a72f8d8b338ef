/**
 * Child process of `npm run bench -- train-profile`: trains a few steps through the real trainer
 * (`trainModel` on an in-memory set of random windows, C = 12, S = 4, batch 64 — the issue's
 * set-up) with every kernel of the active backend wrapped in a timer, and prints one JSON line:
 * milliseconds per step by kernel class, host↔wasm copies, data wait, and the rest (tape, glue).
 * The thread count is the process's (AUSCULT_WASM_THREADS), so each count runs in its own process.
 * PROFILE_CLOCK=cpu times kernels by process CPU time (all threads) instead of wall time: on a
 * shared machine that is what the step costs, not how long it waited for a core.
 * Nested kernels (our composite kernels call other kernels) count towards the outermost one.
 */
import { loadTf } from '../src/engine/tf.ts';
import { Random } from '../src/engine/datasets/prng.ts';
import { WINDOW_VALUES } from '../src/engine/model/config.ts';
import { disposeModel } from '../src/engine/model/model.ts';
import { Adam } from '../src/engine/model/train-step.ts';
import { inMemoryTrainingSet } from '../src/engine/model/training-set.ts';
import { trainModel } from '../src/engine/model/trainer.ts';
import { KERNEL_CLASSES, type KernelClass } from './model-profile-classes.ts';

const CLASSES = 12;
const SUBCLUSTERS = 4;
const BATCH = 64;
/** Steps measured after the first (which creates XNNPack operators and warms the JIT). */
const STEPS = Number(process.env.PROFILE_STEPS ?? 4);


function classOf(kernel: string): KernelClass {
  if (kernel === 'Conv2D' || kernel === 'FusedConv2D') return 'conv forward';
  if (kernel === 'Conv2DBackpropInput') return 'conv input gradient';
  if (kernel === 'Conv2DBackpropFilter') return 'conv filter gradient';
  if (/BatchNorm|^Mean$|^Sum$|SquaredDifference|Rsqrt|Moments/.test(kernel)) return 'BatchNorm';
  if (/Pool/.test(kernel)) return 'pooling';
  if (/MatMul|Softmax|Log|Exp|Max$|Min$|ClipByValue|Sqrt|Acos|Cos|Sin|Atan/.test(kernel)) return 'head (dense, cosine, softmax, loss)';
  return 'element-wise';
}

const { tf, threads, backend } = await loadTf();
const totals = new Map<string, number>(KERNEL_CLASSES.map((k) => [k, 0]));
const byKernel = new Map<string, number>();
const nested = new Map<string, number>();
let depth = 0;
let outer = '';
let inOptimizer = false;
const useCpu = process.env.PROFILE_CLOCK === 'cpu';
const clockMs = useCpu
  ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : () => performance.now();
const add = (k: string, ms: number) => totals.set(k, (totals.get(k) ?? 0) + ms);

for (const config of tf.getKernelsForBackend(backend)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, backend);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      if (depth > 0) {
        if (depth > 1) return inner(args);
        depth++;
        const t0 = clockMs();
        try {
          return inner(args);
        } finally {
          depth--;
          const key = `${outer} > ${config.kernelName}`;
          nested.set(key, (nested.get(key) ?? 0) + clockMs() - t0);
        }
      }
      depth++;
      outer = config.kernelName;
      const t0 = clockMs();
      try {
        return inner(args);
      } finally {
        const ms = clockMs() - t0;
        depth--;
        add(inOptimizer ? 'optimizer (Adam)' : classOf(config.kernelName), ms);
        byKernel.set(config.kernelName, (byKernel.get(config.kernelName) ?? 0) + ms);
      }
    },
  });
}
const be = tf.backend() as unknown as { write: (...a: unknown[]) => unknown; readSync: (...a: unknown[]) => unknown };
for (const method of ['write', 'readSync'] as const) {
  const original = be[method].bind(be);
  be[method] = (...a: unknown[]) => {
    if (depth > 0) return original(...a);
    const t0 = clockMs();
    try {
      return original(...a);
    } finally {
      add('host↔wasm copies', clockMs() - t0);
    }
  };
}
const apply = Adam.prototype.apply;
Adam.prototype.apply = function (this: Adam, ...a: Parameters<typeof apply>) {
  inOptimizer = true;
  try {
    return apply.apply(this, a);
  } finally {
    inOptimizer = false;
  }
};

const rng = new Random(7);
const size = BATCH * (STEPS + 1);
const windows = Array.from({ length: size }, () => Float32Array.from({ length: WINDOW_VALUES }, () => rng.normal(0, 1)));
const set = inMemoryTrainingSet(windows, windows.map((_, i) => i % CLASSES), CLASSES);

const stepMs: number[] = [];
/** Process CPU time per step (all threads): less sensitive to other load on a shared machine. */
const stepCpuMs: number[] = [];
let lastCpu = process.cpuUsage();
const perStep: Record<string, number>[] = [];
let last = clockMs();
let lastWall = performance.now();
let snapshot = new Map<string, number>();
const { model } = await trainModel(set, {
  subclusters: SUBCLUSTERS,
  epochs: 1,
  seed: 3,
  batchSize: BATCH,
  windowsPerEpoch: size,
  onProgress: (e) => {
    const wallNow = performance.now();
    const now = clockMs();
    add('data wait', e.dataWaitMs ?? 0);
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    if (e.step > 1) {
      stepMs.push(wallNow - lastWall);
      stepCpuMs.push((cpu.user + cpu.system) / 1000);
      const kernels = Object.fromEntries(KERNEL_CLASSES.map((k) => [k, (totals.get(k) ?? 0) - (snapshot.get(k) ?? 0)]));
      const accounted = Object.values(kernels).reduce((a, b) => a + b, 0);
      kernels['other (tape, glue)'] = now - last - accounted;
      perStep.push(kernels);
    }
    last = now;
    lastWall = wallNow;
    snapshot = new Map(totals);
  },
});
disposeModel(model);
const topKernels = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, ms]) => [k, ms / (STEPS + 1)]);
const topNested = [...nested].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, ms]) => [k, ms / (STEPS + 1)]);
process.stdout.write(JSON.stringify({ backend, threads, clock: useCpu ? 'cpu' : 'wall', batch: BATCH, stepMs, stepCpuMs, perStep, topKernels, topNested }) + '\n');
