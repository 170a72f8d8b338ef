/**
 * The training loop (method.md §4–5): shuffled batches streamed from a TrainingSet, mixup on
 * every batch, class-balanced sample weights, SC-AdaCos steps with Adam; progress events,
 * cancellation between steps, checkpoints every N epochs and exact resumption from one.
 * Deterministic for a seed: initialisation, shuffling and mixup draw from seeded generators
 * (one stream per epoch, so a resumed run draws exactly what an uninterrupted one would).
 */
import { loadTf } from '../tf.ts';
import {
  makeModelConfig,
  PRESETS,
  type CentreMode,
  type ModelConfig,
  type PresetName,
} from './config.ts';
import { loadModelWithState, saveModel, type TrainerState } from './io.ts';
import { createModel, disposeModel, type EmbeddingModel } from './model.ts';
import { Adam, trainStep, TrainingDivergedError } from './train-step.ts';
import type { TrainingSet } from './training-set.ts';
import { openBatchSource } from './batch-pipeline.ts';

export const DEFAULT_BATCH_SIZE = 64;

export interface TrainProgressEvent {
  /** 1-based epoch and step within the epoch. */
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Loss of this step (weighted cross-entropy + L2 term). */
  loss: number;
  /** Mean loss of the epoch so far. */
  epochLoss: number;
  /** ŝ after this step. */
  scale: number;
  samplesPerS: number;
  /** Estimated seconds until the last epoch ends. */
  etaS: number;
  /** True on the last step of an epoch. */
  epochDone: boolean;
  /** Milliseconds this step waited for its batch (reading, normalising, mixing windows). */
  dataWaitMs: number;
  /** Milliseconds of the training step itself (forward, gradients, Adam). */
  stepMs: number;
}

export interface TrainOptions {
  /** Sub-clusters per class S (1…64). */
  subclusters: number;
  /** Class names (index = class id); default `class_0`, `class_1`, …. */
  classNames?: string[];
  /** Default: the preset's epochs. */
  epochs?: number;
  /** Default `standard`. */
  preset?: PresetName;
  /** Default 0. */
  seed?: number;
  /** Default 64. */
  batchSize?: number;
  /** Windows drawn per epoch (random subset); default: the preset's (quick: 512), else all. */
  windowsPerEpoch?: number;
  /** Default `trainable` (as in the paper). */
  centres?: CentreMode;
  /** Mixup on every batch (default true). SC-AdaCos without mixup diverges: see `allowNoMixup`. */
  mixup?: boolean;
  /** Required to train with `mixup: false` (the adaptive scale grows without bound). */
  allowNoMixup?: boolean;
  /** Stored in the model's config for inference. */
  featureParams?: ModelConfig['featureParams'];
  normStats?: ModelConfig['normStats'];
  /** Awaited: a caller may pause training here (e.g. a test gate after an epoch). */
  onProgress?: (event: TrainProgressEvent) => unknown;
  signal?: AbortSignal;
  /** Folder for the checkpoint (one model folder, replaced atomically each time). */
  checkpointDir?: string;
  /** Default: the preset's. */
  checkpointEveryEpochs?: number;
  /** A checkpoint folder to continue from (its seed, batch size and windows per epoch are used; S and C must match). */
  resumeFrom?: string;
}

export interface TrainResult {
  model: EmbeddingModel;
  /** Epochs completed in total (including those before a resume). */
  epochsDone: number;
}

/** Class-balanced weights (scikit-learn "balanced"): total / (C · count of the class). */
export function classBalancedWeights(set: TrainingSet): Float64Array {
  const counts = new Float64Array(set.numClasses);
  for (let i = 0; i < set.size; i++) {
    const c = set.classOf(i);
    if (!Number.isInteger(c) || c < 0 || c >= set.numClasses) throw new Error(`training window ${i} has class ${c}, outside 0…${set.numClasses - 1}`);
    counts[c]!++;
  }
  return counts.map((n) => (n > 0 ? set.size / (set.numClasses * n) : 0));
}

export { epochOrder, mixupBatch } from './batch-source.ts';

function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const e = new Error('training was cancelled');
  e.name = 'AbortError';
  return e;
}

/** Trains an embedding model on `set`; see TrainOptions for the knobs and their defaults. */
export async function trainModel(set: TrainingSet, options: TrainOptions): Promise<TrainResult> {
  const { tf } = await loadTf();
  const preset = PRESETS[options.preset ?? 'standard'];
  if (options.mixup === false && !options.allowNoMixup) {
    throw new Error('SC-AdaCos without mixup makes the adaptive scale diverge (paper, appendix); pass allowNoMixup to force it');
  }
  if (set.size < 2) throw new Error(`the training set has ${set.size} window(s); at least 2 are needed`);

  let model: EmbeddingModel;
  let startEpoch = 0;
  let seed = options.seed ?? 0;
  let batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const adam = new Adam(tf);
  let resumedWindowsPerEpoch: number | undefined;
  if (options.resumeFrom) {
    const { model: resumed, trainer } = await loadModelWithState(options.resumeFrom);
    if (!trainer) throw new Error(`${options.resumeFrom}: is a model, not a training checkpoint (no trainer state)`);
    if (resumed.config.subclusters !== options.subclusters || resumed.config.numClasses !== set.numClasses) {
      disposeModel(resumed);
      throw new Error(`${options.resumeFrom}: checkpoint has C = ${resumed.config.numClasses}, S = ${resumed.config.subclusters}; this run has C = ${set.numClasses}, S = ${options.subclusters}`);
    }
    model = resumed;
    startEpoch = trainer.epoch;
    seed = trainer.seed;
    batchSize = trainer.batchSize;
    resumedWindowsPerEpoch = trainer.windowsPerEpoch;
    adam.restore(trainer.adam, new Map(model.specs.map((s) => [s.name, s.shape])));
  } else {
    const classNames = options.classNames ?? Array.from({ length: set.numClasses }, (_, i) => `class_${i}`);
    if (classNames.length !== set.numClasses) throw new Error(`${classNames.length} class names for ${set.numClasses} classes`);
    const config = makeModelConfig({
      classNames,
      subclusters: options.subclusters,
      centres: options.centres,
      featureParams: options.featureParams,
      normStats: options.normStats,
      preset: preset.name,
      seed,
    });
    model = await createModel(config, seed);
  }
  const epochs = options.epochs ?? preset.epochs;
  // A resumed run draws the same windows per epoch as the run that wrote the checkpoint.
  const windowsPerEpoch = options.windowsPerEpoch ?? (options.resumeFrom ? resumedWindowsPerEpoch : preset.windowsPerEpoch);
  const checkpointEvery = options.checkpointEveryEpochs ?? preset.checkpointEveryEpochs;
  if (!Number.isInteger(batchSize) || batchSize < 2) throw new Error(`batch size must be an integer ≥ 2, got ${batchSize}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a positive integer, got ${epochs}`);

  const classWeights = classBalancedWeights(set);
  const perEpoch = Math.min(set.size, windowsPerEpoch ?? set.size);
  // A last batch of one window cannot be batch-normalised or mixed: it is skipped.
  const stepsPerEpoch = Math.floor(perEpoch / batchSize) + (perEpoch % batchSize >= 2 ? 1 : 0);
  let lastCheckpointEpoch: number | undefined;
  const runStart = performance.now();
  let samplesThisRun = 0;

  const checkpoint = async (epochDone: number) => {
    if (!options.checkpointDir) return;
    const state: TrainerState = { epoch: epochDone, seed, batchSize, epochs, windowsPerEpoch, adam: adam.state() };
    await saveModel(options.checkpointDir, model, state);
    lastCheckpointEpoch = epochDone;
  };

  // Batches are made ahead of the step in a worker thread when the set allows (batch-pipeline.ts).
  const batches = openBatchSource(set, {
    seed,
    batchSize,
    windowsPerEpoch,
    mixup: options.mixup !== false,
    classWeights,
    stepsPerEpoch,
    startEpoch,
    epochs,
  });
  try {
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const epochStart = performance.now();
      let lossSum = 0;
      let samples = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (options.signal?.aborted) throw abortError(options.signal);
        const dataStart = performance.now();
        const batch = await batches.next();
        if (batch.epoch !== epoch || batch.step !== step) throw new Error(`batch for epoch ${batch.epoch + 1} step ${batch.step + 1} arrived at epoch ${epoch + 1} step ${step + 1}`);
        const { n } = batch;
        const stepStart = performance.now();
        const r = trainStep(model, adam, batch);
        const stepEnd = performance.now();
        lossSum += r.loss * n;
        samples += n;
        samplesThisRun += n;
        const elapsedS = (performance.now() - runStart) / 1000;
        const rate = samplesThisRun / elapsedS;
        const remaining = (stepsPerEpoch - step - 1) * batchSize + (epochs - epoch - 1) * perEpoch;
        await options.onProgress?.({
          epoch: epoch + 1,
          epochs,
          step: step + 1,
          stepsPerEpoch,
          loss: r.loss,
          epochLoss: lossSum / samples,
          scale: model.scale,
          samplesPerS: rate,
          etaS: remaining / rate,
          epochDone: step === stepsPerEpoch - 1,
          dataWaitMs: stepStart - dataStart,
          stepMs: stepEnd - stepStart,
        });
        // Let timers and signal handlers run (e.g. a cancel request) between steps.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const durationS = (performance.now() - epochStart) / 1000;
      model.history.push({ epoch: epoch + 1, loss: lossSum / samples, scale: model.scale, samplesPerS: samples / durationS, durationS });
      if ((epoch + 1) % checkpointEvery === 0 || epoch + 1 === epochs) await checkpoint(epoch + 1);
    }
  } catch (err) {
    adam.dispose();
    disposeModel(model);
    if (err instanceof TrainingDivergedError) {
      const kept = lastCheckpointEpoch !== undefined
        ? `the last good checkpoint (epoch ${lastCheckpointEpoch}) is kept in ${options.checkpointDir}`
        : 'no checkpoint was written yet';
      throw new TrainingDivergedError(`training diverged: ${err.message}; ${kept}`);
    }
    throw err;
  } finally {
    await batches.close();
  }
  adam.dispose();
  return { model, epochsDone: epochs };
}
