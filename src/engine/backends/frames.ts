/**
 * Frame-level models of the normalised log-Mel: instead of one vector per clip, every frame (or
 * short patch of frames) of every training clip is a sample, so ten clips already give thousands
 * of samples — enough for a full covariance, and short events (an impulse, a squeal) are seen as
 * the unusual frames they are instead of being averaged into a clip mean.
 * - `frame-gaussian`: one full-covariance Gaussian over all training frames (128-d); a window's
 *   score is the mean over its frames of −log N(frame).
 * - `patch-knn`: patches = means of PATCH_FRAMES consecutive frames (≈ 0.26 s); a window's score
 *   is the mean of the largest TOP_FRACTION of its patches' distances to the nearest training
 *   patch (Euclidean): how far its most unusual moments are from anything heard in training.
 */
import { N_MELS } from '../features/params.ts';
import type { SingleGaussian } from './gaussian.ts';
import { minEuclideanDistances } from './knn.ts';

export const PATCH_FRAMES = 8;
/** Share of a window's patches (the most distant ones) whose distances make its score. */
export const PATCH_TOP_FRACTION = 0.1;
/** Training patches kept per machine (evenly spaced over the training set beyond this). */
export const MAX_TRAINING_PATCHES = 2048;

/** Frames of a flat frames×128 window. */
export function framesOf(window: ArrayLike<number>, what: string): number {
  if (window.length === 0 || window.length % N_MELS !== 0) throw new Error(`${what}: ${window.length} values are not whole frames of ${N_MELS} bands`);
  return window.length / N_MELS;
}

/** All frames of the windows as one row-major (Σ frames)×128 matrix. */
export function stackFrames(windows: readonly ArrayLike<number>[], what: string): { x: Float64Array; n: number } {
  const total = windows.reduce((s, w) => s + framesOf(w, what), 0);
  const x = new Float64Array(total * N_MELS);
  let o = 0;
  for (const w of windows) {
    for (let i = 0; i < w.length; i++) {
      const v = w[i]!;
      if (!Number.isFinite(v)) throw new Error(`${what}: a non-finite value (${v})`);
      x[o++] = v;
    }
  }
  return { x, n: total };
}

/** Mean over frames of −log N(frame) for each window. */
export function frameGaussianScores(gaussian: SingleGaussian, windows: readonly ArrayLike<number>[]): Float64Array {
  return Float64Array.from(windows, (w) => {
    const { x, n } = stackFrames([w], 'frame-gaussian back-end scoring');
    const logDensities = gaussian.logDensities(x, n);
    let sum = 0;
    for (const v of logDensities) sum -= v;
    return sum / n;
  });
}

/** Non-overlapping patch means (PATCH_FRAMES frames each; a last partial patch is dropped unless it is the only one). */
export function patchMeans(window: ArrayLike<number>, what: string): { x: Float64Array; n: number } {
  const frames = framesOf(window, what);
  const n = Math.max(1, Math.floor(frames / PATCH_FRAMES));
  const per = Math.min(PATCH_FRAMES, frames);
  const x = new Float64Array(n * N_MELS);
  for (let p = 0; p < n; p++) {
    for (let f = p * per; f < (p + 1) * per; f++) {
      for (let m = 0; m < N_MELS; m++) {
        const v = window[f * N_MELS + m]!;
        if (!Number.isFinite(v)) throw new Error(`${what}: a non-finite value (${v})`);
        x[p * N_MELS + m]! += v / per;
      }
    }
  }
  return { x, n };
}

/** The training patches of a machine: all patch means, evenly thinned to at most MAX_TRAINING_PATCHES. */
export function trainingPatches(windows: readonly ArrayLike<number>[]): { x: Float64Array; n: number } {
  const all = windows.map((w) => patchMeans(w, 'patch-knn back-end training data'));
  const total = all.reduce((s, p) => s + p.n, 0);
  const keep = Math.min(total, MAX_TRAINING_PATCHES);
  const x = new Float64Array(keep * N_MELS);
  let k = 0;
  let index = 0;
  for (const p of all) {
    for (let i = 0; i < p.n; i++, index++) {
      // Keep patch `index` when it is the first at or past the next evenly spaced position.
      if (k < keep && index >= Math.floor((k * total) / keep)) {
        x.set(p.x.subarray(i * N_MELS, (i + 1) * N_MELS), k * N_MELS);
        k++;
      }
    }
  }
  return { x, n: keep };
}

/** Mean of the largest PATCH_TOP_FRACTION (at least one) of a window's nearest-patch distances. */
export function patchKnnScores(train: Float64Array, m: number, windows: readonly ArrayLike<number>[]): Float64Array {
  return Float64Array.from(windows, (w) => {
    const { x, n } = patchMeans(w, 'patch-knn back-end scoring');
    const distances = minEuclideanDistances(x, n, train, m).sort();
    const top = Math.max(1, Math.ceil(PATCH_TOP_FRACTION * n));
    let sum = 0;
    for (let i = n - top; i < n; i++) sum += distances[i]!;
    return sum / top;
  });
}
