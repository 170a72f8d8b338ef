/**
 * The vectors the log-Mel back-ends fit and score, computed from one normalised log-Mel window
 * (frames × 128, row-major): the one place that turns a window into a log-Mel back-end's input,
 * for the DCASE runner, the label-free choice and the app alike.
 * - `mean-logmel` / `max-logmel`: temporal mean / max per band (128; features/simple.ts);
 * - `meanstd-logmel`: per-band mean, then per-band standard deviation (256): level and fluctuation;
 * - `robust-logmel`: per-band median, then per-band median absolute deviation (256): like meanstd,
 *   but a few loud frames (a passing fork-lift, a clank) move it little;
 * - `frame-gaussian` / `patch-knn`: the window itself (frame-level models).
 */
import { N_MELS } from '../features/params.ts';
import { temporalMeanMax } from '../features/simple.ts';

export const LOGMEL_KINDS = ['mean-logmel', 'max-logmel', 'meanstd-logmel', 'robust-logmel', 'frame-gaussian', 'patch-knn'] as const;
export type LogMelKind = (typeof LOGMEL_KINDS)[number];

export function isLogMelKind(kind: string): kind is LogMelKind {
  return (LOGMEL_KINDS as readonly string[]).includes(kind);
}

function frameCount(window: Float32Array, what: string): number {
  if (window.length === 0 || window.length % N_MELS !== 0) throw new Error(`${what}: ${window.length} values are not whole frames of ${N_MELS} bands`);
  return window.length / N_MELS;
}

/** Per band: mean then population standard deviation over the window's frames (2·128). */
export function temporalMeanStd(window: Float32Array): Float32Array {
  const frames = frameCount(window, 'meanstd-logmel');
  const out = new Float32Array(2 * N_MELS);
  for (let m = 0; m < N_MELS; m++) {
    let sum = 0;
    for (let f = 0; f < frames; f++) sum += window[f * N_MELS + m]!;
    const mean = sum / frames;
    let ss = 0;
    for (let f = 0; f < frames; f++) ss += (window[f * N_MELS + m]! - mean) ** 2;
    out[m] = mean;
    out[N_MELS + m] = Math.sqrt(ss / frames);
  }
  return out;
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Per band: median then median absolute deviation from it over the window's frames (2·128). */
export function temporalMedianMad(window: Float32Array): Float32Array {
  const frames = frameCount(window, 'robust-logmel');
  const out = new Float32Array(2 * N_MELS);
  const column = new Float64Array(frames);
  for (let m = 0; m < N_MELS; m++) {
    for (let f = 0; f < frames; f++) column[f] = window[f * N_MELS + m]!;
    column.sort();
    const med = median(column);
    for (let f = 0; f < frames; f++) column[f] = Math.abs(column[f]! - med);
    column.sort();
    out[m] = med;
    out[N_MELS + m] = median(column);
  }
  return out;
}

/** The input vector of log-Mel back-end `kind` for one normalised window. */
export function logMelVector(kind: LogMelKind, window: Float32Array): Float32Array {
  switch (kind) {
    case 'mean-logmel':
      return temporalMeanMax(window).mean;
    case 'max-logmel':
      return temporalMeanMax(window).max;
    case 'meanstd-logmel':
      return temporalMeanStd(window);
    case 'robust-logmel':
      return temporalMedianMad(window);
    default:
      frameCount(window, kind);
      return window;
  }
}
