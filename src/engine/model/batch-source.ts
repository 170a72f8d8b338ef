/**
 * Training batches: the windows of each step read from the training set, labelled, weighted and
 * mixed (method.md §4), in the order the trainer uses them. One path makes them (`EpochBatches`);
 * it runs either in the trainer's thread or, for a set a worker can open (the feature cache), in a
 * worker thread that keeps a batch or two ahead, so the training step does not wait for reading
 * and mixing. Both give the same batches bit for bit: shuffling and mixup draw from per-epoch
 * seeded streams, consumed in step order.
 */
import { deriveSeed, Random } from '../datasets/prng.ts';
import { WINDOW_VALUES } from './config.ts';
import type { TrainingSet } from './training-set.ts';

export interface Batch {
  /** n windows, 313 × 128 each, normalised and mixed. */
  x: Float32Array;
  /** n × C mixed labels. */
  yMixed: Float32Array;
  /** n mixed class-balanced weights. */
  sampleWeights: Float32Array;
  n: number;
}

/** Everything besides the set that fixes the batches of a run. */
export interface BatchPlan {
  seed: number;
  batchSize: number;
  /** Windows drawn per epoch (random subset); undefined = all. */
  windowsPerEpoch?: number;
  mixup: boolean;
  /** Weight of each class (classBalancedWeights). */
  classWeights: Float64Array;
  /** Steps per epoch (the trainer's count: a last batch of one window is skipped). */
  stepsPerEpoch: number;
  /** First epoch (0-based; a resumed run's) and the number of epochs in all. */
  startEpoch: number;
  epochs: number;
}

/**
 * Mixup of method.md §4 in place: sample i becomes λ_i·x_i + (1 − λ_i)·x_j with j = n − 1 − i and
 * λ_i ~ U(0, 1); labels and weights are mixed the same way. `x` holds n windows, `y` n × C labels.
 */
export function mixupBatch(rng: Random, n: number, x: Float32Array, y: Float32Array, w: Float32Array, numClasses: number): void {
  const x0 = x.slice(0, n * WINDOW_VALUES);
  const y0 = y.slice(0, n * numClasses);
  const w0 = w.slice(0, n);
  for (let i = 0; i < n; i++) {
    const lambda = rng.next();
    const j = n - 1 - i;
    const mu = 1 - lambda;
    const xi = i * WINDOW_VALUES;
    const xj = j * WINDOW_VALUES;
    for (let k = 0; k < WINDOW_VALUES; k++) x[xi + k] = lambda * x0[xi + k]! + mu * x0[xj + k]!;
    for (let c = 0; c < numClasses; c++) y[i * numClasses + c] = lambda * y0[i * numClasses + c]! + mu * y0[j * numClasses + c]!;
    w[i] = lambda * w0[i]! + mu * w0[j]!;
  }
}

/** The windows of epoch `epoch` (0-based), in the order they are used. */
export function epochOrder(seed: number, epoch: number, size: number, windowsPerEpoch?: number): Uint32Array {
  const rng = new Random(deriveSeed(seed, `shuffle-${epoch}`));
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return windowsPerEpoch !== undefined && windowsPerEpoch < size ? order.slice(0, windowsPerEpoch) : order;
}

/** The batches of one epoch, made in step order (mixup draws from one stream per epoch). */
export class EpochBatches {
  private readonly order: Uint32Array;
  private readonly mixRng: Random;
  private nextStep = 0;

  constructor(
    private readonly set: TrainingSet,
    private readonly plan: BatchPlan,
    readonly epoch: number,
  ) {
    this.order = epochOrder(plan.seed, epoch, set.size, plan.windowsPerEpoch);
    this.mixRng = new Random(deriveSeed(plan.seed, `mixup-${epoch}`));
  }

  /** Fills `into` (room for a whole batch) with step `step`, which must be the next one. */
  async fill(step: number, into: Batch): Promise<Batch> {
    if (step !== this.nextStep) throw new Error(`batches of epoch ${this.epoch} are made in order: asked for step ${step}, next is ${this.nextStep}`);
    this.nextStep++;
    const C = this.set.numClasses;
    const { batchSize, classWeights } = this.plan;
    const begin = step * batchSize;
    const n = Math.min(batchSize, this.order.length - begin);
    into.yMixed.fill(0);
    for (let i = 0; i < n; i++) {
      const idx = this.order[begin + i]!;
      await this.set.readWindow(idx, into.x.subarray(i * WINDOW_VALUES, (i + 1) * WINDOW_VALUES));
      const c = this.set.classOf(idx);
      into.yMixed[i * C + c] = 1;
      into.sampleWeights[i] = classWeights[c]!;
    }
    if (this.plan.mixup) mixupBatch(this.mixRng, n, into.x, into.yMixed, into.sampleWeights, C);
    return { x: into.x.subarray(0, n * WINDOW_VALUES), yMixed: into.yMixed.subarray(0, n * C), sampleWeights: into.sampleWeights.subarray(0, n), n };
  }
}

export function allocateBatch(batchSize: number, numClasses: number): Batch {
  return {
    x: new Float32Array(batchSize * WINDOW_VALUES),
    yMixed: new Float32Array(batchSize * numClasses),
    sampleWeights: new Float32Array(batchSize),
    n: batchSize,
  };
}

/** Every (epoch, step) of a plan, in training order. */
export function* planSteps(plan: BatchPlan): Generator<[epoch: number, step: number]> {
  for (let epoch = plan.startEpoch; epoch < plan.epochs; epoch++)
    for (let step = 0; step < plan.stepsPerEpoch; step++) yield [epoch, step];
}

/** Where the trainer takes its batches from: `next()` gives the plan's steps in order. */
export interface BatchSource {
  /** Runs in a worker thread (else in the caller's thread). */
  readonly inWorker: boolean;
  next(): Promise<Batch & { epoch: number; step: number }>;
  close(): Promise<void>;
}

/** Batches made in the calling thread, into one reused buffer. */
export function inlineBatchSource(set: TrainingSet, plan: BatchPlan): BatchSource {
  const buffer = allocateBatch(plan.batchSize, set.numClasses);
  const steps = planSteps(plan);
  let epoch: EpochBatches | undefined;
  return {
    inWorker: false,
    async next() {
      const s = steps.next();
      if (s.done) throw new Error('the batch plan has no more steps');
      const [e, step] = s.value;
      if (epoch?.epoch !== e) epoch = new EpochBatches(set, plan, e);
      return { ...(await epoch.fill(step, buffer)), epoch: e, step };
    },
    async close() {},
  };
}
