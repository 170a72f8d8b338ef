/**
 * Where training windows come from. The trainer only needs this small streaming interface, so
 * that a data set far larger than memory (DCASE 2020: ≈ 40,000 windows ≈ 6.4 GB of float32) is
 * read batch by batch.
 */
import type { CachedRecording, FeatureCache } from '../features/cache.ts';
import { normalizeInPlace, type NormStats } from '../features/normalization.ts';
import { WINDOW_VALUES } from './config.ts';

export interface TrainingSet {
  /** Number of windows. */
  readonly size: number;
  readonly numClasses: number;
  /** Class of window i (0 … numClasses − 1). */
  classOf(i: number): number;
  /** Writes window i (313 × 128, row-major, normalised) into `out`. */
  readWindow(i: number, out: Float32Array): void | Promise<void>;
  /** How a worker thread opens the same set (sets read from the feature cache have one). */
  readonly workerSpec?: FeatureCacheSetSpec;
}

/** A feature-cache training set in plain data (structured-clonable to a worker thread). */
export interface FeatureCacheSetSpec {
  cacheDir: string;
  windows: CachedWindowRef[];
  numClasses: number;
  stats: NormStats;
}

/** Windows held in memory (tests, small sets): each 313 × 128, already normalised. */
export function inMemoryTrainingSet(windows: Float32Array[], classes: number[], numClasses: number): TrainingSet {
  if (windows.length !== classes.length) throw new Error(`${windows.length} windows but ${classes.length} class labels`);
  for (const w of windows) if (w.length !== WINDOW_VALUES) throw new Error(`a training window has ${w.length} values, expected ${WINDOW_VALUES}`);
  return {
    size: windows.length,
    numClasses,
    classOf: (i) => classes[i]!,
    readWindow: (i, out) => void out.set(windows[i]!),
  };
}

/** One window of a cached recording, with its class. */
export interface CachedWindowRef {
  key: string;
  index: number;
  classIndex: number;
}

/** Windows read from the feature cache one by one and normalised with `stats`. */
export function featureCacheTrainingSet(cache: FeatureCache, windows: CachedWindowRef[], numClasses: number, stats: NormStats): TrainingSet {
  return {
    size: windows.length,
    numClasses,
    workerSpec: { cacheDir: cache.dir, windows, numClasses, stats },
    classOf: (i) => windows[i]!.classIndex,
    readWindow: (i, out) => {
      const w = windows[i]!;
      cache.readWindow(w.key, w.index, out);
      normalizeInPlace(out, stats);
    },
  };
}

/**
 * Every window of the given cached recordings as a training set, with the normalisation statistics
 * over all their frames (one streaming pass over the cache; no window is kept in memory) and the
 * window list. `classOfRecording[i]` is the class of `recordings[i]`. The one path from cached
 * recordings to training windows and their statistics (app training, DCASE runner, CLI).
 */
export function cachedRecordingsTrainingSet(
  cache: FeatureCache,
  recordings: readonly CachedRecording[],
  classOfRecording: readonly number[],
  numClasses: number,
): { set: TrainingSet; normStats: NormStats; windows: CachedWindowRef[] } {
  if (recordings.length !== classOfRecording.length) throw new Error(`${recordings.length} recordings but ${classOfRecording.length} class labels`);
  const normStats = cache.normStats(recordings);
  const windows: CachedWindowRef[] = [];
  recordings.forEach((r, i) => {
    for (let index = 0; index < r.windowCount; index++) windows.push({ key: r.key, index, classIndex: classOfRecording[i]! });
  });
  return { set: featureCacheTrainingSet(cache, windows, numClasses, normStats), normStats, windows };
}
