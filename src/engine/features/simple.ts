/**
 * The simple representations of method.md §6: temporal mean and temporal max of a window's
 * normalised log-Mel, each a 128-d vector per window.
 */
import { N_MELS } from './params.ts';

export interface SimpleRepresentations {
  /** Per-band mean over the window's frames (128). */
  mean: Float32Array;
  /** Per-band maximum over the window's frames (128). */
  max: Float32Array;
}

/** Mean and max over time of `window` (frames × 128 row-major, normalised log-Mel). */
export function temporalMeanMax(window: Float32Array): SimpleRepresentations {
  if (window.length === 0 || window.length % N_MELS !== 0)
    throw new Error(`temporalMeanMax: ${window.length} values are not whole frames of ${N_MELS} bands`);
  const frames = window.length / N_MELS;
  const sum = new Float64Array(N_MELS);
  const max = new Float32Array(N_MELS).fill(-Infinity);
  for (let row = 0; row < window.length; row += N_MELS) {
    for (let m = 0; m < N_MELS; m++) {
      const v = window[row + m]!;
      sum[m]! += v;
      if (v > max[m]!) max[m] = v;
    }
  }
  const mean = new Float32Array(N_MELS);
  for (let m = 0; m < N_MELS; m++) mean[m] = sum[m]! / frames;
  return { mean, max };
}

export function temporalMean(window: Float32Array): Float32Array {
  return temporalMeanMax(window).mean;
}

export function temporalMax(window: Float32Array): Float32Array {
  return temporalMeanMax(window).max;
}
