/**
 * The learned representation of one run of the experiment: train the SC-AdaCos embedding model
 * with S sub-clusters on every training window (all machine ids are the classes), save it, then
 * embed every training and test window. The model module does the work (trainModel streams
 * windows from the feature cache; embedWindows); this file wires the experiment's data to it.
 */
import path from 'node:path';
import type { DcaseDataset } from '../datasets/dcase-layout.ts';
import type { CachedRecording, FeatureCache } from '../features/cache.ts';
import { FEATURE_PARAMS } from '../features/params.ts';
import { normStatsToJson, type NormStats } from '../features/normalization.ts';
import {
  classCentres,
  disposeModel,
  embedWindows,
  saveModel,
  trainModel,
  type EmbeddingModel,
  type PresetName,
  type TrainingSet,
} from '../model/index.ts';
import type { StageTimer } from './stage-timer.ts';
import { describeTfRuntime, loadTf } from '../tf.ts';

export interface LearnedRunOptions {
  dataset: DcaseDataset;
  subclusters: number;
  preset: PresetName;
  /** Default: the preset's. */
  epochs?: number;
  /** Default: the preset's (quick: 512 random windows per epoch). */
  windowsPerEpoch?: number;
  seed: number;
  cache: FeatureCache;
  /** Cached features of dataset.train / dataset.test, index-aligned. */
  trainRecordings: CachedRecording[];
  testRecordings: CachedRecording[];
  /**
   * Every window of `trainRecordings` (class: its clip's machine id) and the normalisation statistics
   * over them: `cachedRecordingsTrainingSet(cache, trainRecordings, …)`, built once per experiment.
   */
  training: { set: TrainingSet; normStats: NormStats };
  outDir: string;
  /** Further normalised windows to embed with the model (e.g. perturbed copies for the label-free choice). */
  extraWindows?: Float32Array[];
  signal?: AbortSignal;
  onProgress?: (p: { stage: string; done: number; total: number }) => void;
  log?: (line: string) => void;
}

/** Per-window vectors with the clip (index into dataset.train / dataset.test) of each window. */
export interface WindowVectors {
  vectors: Float32Array[];
  clipOfWindow: number[];
}

export interface LearnedRun {
  train: WindowVectors;
  test: WindowVectors;
  /** Class probabilities of each training / test window (model-output back-end). */
  trainProbabilities: Float32Array[];
  testProbabilities: Float32Array[];
  /** The S centres of a class (raw; the GMM back-end normalises them). */
  centres(classIndex: number): Float32Array[];
  /** Embeddings of `options.extraWindows`, in order. */
  extraEmbeddings: Float32Array[];
  /** Folder the trained model was saved to. */
  modelDir: string;
}

export function modelDirFor(outDir: string, subclusters: number): string {
  return path.join(outDir, `model-S${subclusters}`);
}

/** Clips embedded per batch of cache reads (bounds memory on large sets). */
const EMBED_CLIPS_PER_CHUNK = 64;

function embedRecordings(
  model: EmbeddingModel,
  cache: FeatureCache,
  recordings: CachedRecording[],
  norm: NormStats,
  onChunk: (done: number) => void,
): { vectors: WindowVectors; probabilities: Float32Array[] } {
  const vectors: WindowVectors = { vectors: [], clipOfWindow: [] };
  const probabilities: Float32Array[] = [];
  for (let start = 0; start < recordings.length; start += EMBED_CLIPS_PER_CHUNK) {
    const windows: Float32Array[] = [];
    const clips: number[] = [];
    for (let c = start; c < Math.min(recordings.length, start + EMBED_CLIPS_PER_CHUNK); c++) {
      for (const w of cache.readWindows(recordings[c]!.key, norm)) {
        windows.push(w);
        clips.push(c);
      }
    }
    const { embeddings, classProbs } = embedWindows(model, windows);
    vectors.vectors.push(...embeddings);
    vectors.clipOfWindow.push(...clips);
    probabilities.push(...classProbs);
    onChunk(Math.min(recordings.length, start + EMBED_CLIPS_PER_CHUNK));
  }
  return { vectors, probabilities };
}

export async function trainAndEmbed(options: LearnedRunOptions, timer: StageTimer): Promise<LearnedRun> {
  const { dataset, subclusters: S, cache } = options;
  const { set, normStats } = options.training;
  const progress = options.onProgress ?? (() => {});
  const modelDir = modelDirFor(path.resolve(options.outDir), S);

  const { model } = await timer.time(`training S=${S}`, async () => {
    options.log?.(`S=${S}: training on TensorFlow.js ${describeTfRuntime(await loadTf())}`);
    let lastEpoch = 0;
    const result = await trainModel(set, {
      subclusters: S,
      classNames: dataset.classes,
      preset: options.preset,
      epochs: options.epochs,
      windowsPerEpoch: options.windowsPerEpoch,
      seed: options.seed,
      featureParams: { ...FEATURE_PARAMS },
      normStats: normStatsToJson(normStats),
      signal: options.signal,
      onProgress: (e) => {
        progress({ stage: `training epoch ${e.epoch}/${e.epochs}`, done: e.step, total: e.stepsPerEpoch });
        if (e.epochDone && e.epoch !== lastEpoch) {
          lastEpoch = e.epoch;
          options.log?.(`S=${S}: epoch ${e.epoch}/${e.epochs} loss ${e.epochLoss.toFixed(4)} ŝ ${e.scale.toFixed(2)} (${e.samplesPerS.toFixed(1)} windows/s)`);
        }
      },
    });
    await saveModel(modelDir, result.model);
    return result;
  });

  try {
    return await timer.time(`embedding S=${S}`, () => {
      const total = options.trainRecordings.length + options.testRecordings.length;
      const train = embedRecordings(model, cache, options.trainRecordings, normStats, (d) => progress({ stage: 'embedding', done: d, total }));
      const test = embedRecordings(model, cache, options.testRecordings, normStats, (d) => progress({ stage: 'embedding', done: options.trainRecordings.length + d, total }));
      const extraEmbeddings: Float32Array[] = [];
      const extra = options.extraWindows ?? [];
      for (let start = 0; start < extra.length; start += EMBED_CLIPS_PER_CHUNK) {
        extraEmbeddings.push(...embedWindows(model, extra.slice(start, start + EMBED_CLIPS_PER_CHUNK)).embeddings);
      }
      const centresByClass = dataset.classes.map((_, c) => classCentres(model, c));
      disposeModel(model);
      return {
        train: train.vectors,
        test: test.vectors,
        trainProbabilities: train.probabilities,
        testProbabilities: test.probabilities,
        centres: (classIndex: number) => centresByClass[classIndex]!,
        extraEmbeddings,
        modelDir,
      };
    });
  } catch (err) {
    disposeModel(model);
    throw err;
  }
}
