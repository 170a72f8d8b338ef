/**
 * "Difference from normal": how a clip's log-Mel departs from a machine's normal profile (the
 * per-band mean and spread of its training frames, the same statistics as the per-band
 * normalisation of method.md §2), in standard deviations per band and time — at the resolution a
 * screen shows. Pure functions over log-Mel frames (frames × 128, row-major, dB).
 */
import type { NormStats } from './normalization.ts';
import { hzToMelSlaney, melToHzSlaney } from './mel.ts';
import { FMAX_HZ, FMIN_HZ, HOP_SAMPLES, N_MELS, SAMPLE_RATE_HZ } from './params.ts';

/** Floor of a band's spread, dB: a band that never varied in training must not divide by ~0. */
export const MIN_BAND_STD_DB = 0.5;

/** Centre frequency of each mel band, Hz (the peaks of the Slaney filters). */
export function melBandCentresHz(nMels = N_MELS, fminHz = FMIN_HZ, fmaxHz = FMAX_HZ): number[] {
  const lo = hzToMelSlaney(fminHz);
  const hi = hzToMelSlaney(fmaxHz);
  return Array.from({ length: nMels }, (_, m) => melToHzSlaney(lo + ((hi - lo) * (m + 1)) / (nMels + 1)));
}

/** Time of frame `t` (centred frames), seconds. */
export function frameTimeS(t: number): number {
  return (t * HOP_SAMPLES) / SAMPLE_RATE_HZ;
}

/**
 * The frames of a whole recording from its (possibly overlapping) analysis windows: frame
 * `windowStartFrames[0] + t` is taken from the last window that covers it. Returns the frames
 * from the first window's start on, and that start.
 */
export function stitchWindows(
  windows: readonly Float32Array[],
  windowStartFrames: readonly number[],
  nMels = N_MELS,
): { frames: Float32Array; firstFrame: number; frameCount: number } {
  if (windows.length === 0 || windows.length !== windowStartFrames.length)
    throw new Error(`stitchWindows: ${windows.length} windows but ${windowStartFrames.length} start frames`);
  const first = windowStartFrames[0]!;
  let end = first;
  windows.forEach((w, i) => (end = Math.max(end, windowStartFrames[i]! + w.length / nMels)));
  const frameCount = end - first;
  const frames = new Float32Array(frameCount * nMels);
  windows.forEach((w, i) => frames.set(w, (windowStartFrames[i]! - first) * nMels));
  return { frames, firstFrame: first, frameCount };
}

function bandStd(stats: NormStats, m: number): number {
  return Math.max(MIN_BAND_STD_DB, stats.std[m]!);
}

export interface DeviationMap {
  /** Columns (time) × bands, row-major by column: value = mean deviation of the column's frames, σ. */
  values: Float32Array;
  columns: number;
  bands: number;
  /** Start and end time of each column, seconds (from the recording's start). */
  columnStartS: number[];
  columnEndS: number[];
}

/**
 * Per band and time, (x − normal mean) / normal std, averaged over groups of consecutive frames
 * so that at most `maxColumns` columns remain (a screen shows a few hundred at most).
 */
export function deviationMap(
  frames: Float32Array,
  firstFrame: number,
  stats: NormStats,
  maxColumns: number,
  nMels = N_MELS,
): DeviationMap {
  const frameCount = frames.length / nMels;
  if (!Number.isInteger(frameCount)) throw new Error(`deviationMap: ${frames.length} values are not whole frames`);
  if (stats.mean.length !== nMels) throw new Error(`deviationMap: profile has ${stats.mean.length} bands, not ${nMels}`);
  const columns = Math.max(1, Math.min(frameCount, Math.floor(maxColumns)));
  const values = new Float32Array(columns * nMels);
  const columnStartS: number[] = [];
  const columnEndS: number[] = [];
  for (let c = 0; c < columns; c++) {
    const t0 = Math.floor((c * frameCount) / columns);
    const t1 = Math.max(t0 + 1, Math.floor(((c + 1) * frameCount) / columns));
    for (let m = 0; m < nMels; m++) {
      let sum = 0;
      for (let t = t0; t < t1; t++) sum += frames[t * nMels + m]!;
      values[c * nMels + m] = (sum / (t1 - t0) - stats.mean[m]!) / bandStd(stats, m);
    }
    columnStartS.push(frameTimeS(firstFrame + t0));
    columnEndS.push(frameTimeS(firstFrame + t1));
  }
  return { values, columns, bands: nMels, columnStartS, columnEndS };
}

export interface BandProfile {
  /** The clip's mean level per band over its frames, dB. */
  clipMeanDb: Float32Array;
  /** Mean deviation from normal per band, σ. */
  deviation: Float32Array;
}

/** The clip's band profile against the normal one: mean level per band and its deviation in σ. */
export function bandProfile(frames: Float32Array, stats: NormStats, nMels = N_MELS): BandProfile {
  const frameCount = frames.length / nMels;
  if (!Number.isInteger(frameCount) || frameCount === 0) throw new Error('bandProfile: no whole frames');
  const clipMeanDb = new Float32Array(nMels);
  for (let t = 0; t < frameCount; t++) for (let m = 0; m < nMels; m++) clipMeanDb[m]! += frames[t * nMels + m]!;
  const deviation = new Float32Array(nMels);
  for (let m = 0; m < nMels; m++) {
    clipMeanDb[m]! /= frameCount;
    deviation[m] = (clipMeanDb[m]! - stats.mean[m]!) / bandStd(stats, m);
  }
  return { clipMeanDb, deviation };
}
