/**
 * Slaney mel filterbank as librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False,
 * norm='slaney'), computed in float64, stored sparsely (each band's non-zero FFT-bin range).
 */
import { FMAX_HZ, FMIN_HZ, N_FFT, N_MELS, SAMPLE_RATE_HZ } from './params.ts';

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

/** Slaney (auditory toolbox) Hz → mel: linear below 1 kHz, logarithmic above. */
export function hzToMelSlaney(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

export function melToHzSlaney(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

export interface MelFilterbank {
  nMels: number;
  /** FFT bins: n_fft/2 + 1. */
  nBins: number;
  /** Band m uses bins firstBin[m] .. firstBin[m] + weightsOf(m).length − 1. */
  firstBin: Int32Array;
  /** Offsets into `weights` per band (length nMels + 1). */
  offsets: Int32Array;
  weights: Float64Array;
}

/** The sparse Slaney filterbank (bands × bins). */
export function slaneyMelFilterbank(
  sampleRateHz = SAMPLE_RATE_HZ,
  nFft = N_FFT,
  nMels = N_MELS,
  fminHz = FMIN_HZ,
  fmaxHz = FMAX_HZ,
): MelFilterbank {
  const nBins = (nFft >> 1) + 1;
  const fftHz = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) fftHz[k] = (k * sampleRateHz) / nFft;
  // n_mels + 2 edge frequencies evenly spaced on the mel scale (librosa.mel_frequencies).
  const melMin = hzToMelSlaney(fminHz);
  const melMax = hzToMelSlaney(fmaxHz);
  const edgesHz = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++)
    edgesHz[i] = melToHzSlaney(melMin + ((melMax - melMin) * i) / (nMels + 1));

  const firstBin = new Int32Array(nMels);
  const offsets = new Int32Array(nMels + 1);
  const bands: number[][] = [];
  for (let m = 0; m < nMels; m++) {
    const lowerDiff = edgesHz[m + 1]! - edgesHz[m]!;
    const upperDiff = edgesHz[m + 2]! - edgesHz[m + 1]!;
    const enorm = 2 / (edgesHz[m + 2]! - edgesHz[m]!);
    const band: number[] = [];
    let first = -1;
    for (let k = 0; k < nBins; k++) {
      const lower = -(edgesHz[m]! - fftHz[k]!) / lowerDiff;
      const upper = (edgesHz[m + 2]! - fftHz[k]!) / upperDiff;
      const w = Math.max(0, Math.min(lower, upper));
      if (w > 0) {
        if (first < 0) first = k;
        // Zeros inside the support cannot occur for a triangle; keep the range contiguous anyway.
        while (first + band.length < k) band.push(0);
        band.push(w * enorm);
      }
    }
    firstBin[m] = first < 0 ? 0 : first;
    bands.push(band);
    offsets[m + 1] = offsets[m]! + band.length;
  }
  const weights = new Float64Array(offsets[nMels]!);
  for (let m = 0; m < nMels; m++) weights.set(bands[m]!, offsets[m]!);
  return { nMels, nBins, firstBin, offsets, weights };
}

/** Dense copy (bands × bins, row-major) for inspection and tests. */
export function denseFilterbank(fb: MelFilterbank): Float64Array {
  const dense = new Float64Array(fb.nMels * fb.nBins);
  for (let m = 0; m < fb.nMels; m++) {
    const start = fb.offsets[m]!;
    const end = fb.offsets[m + 1]!;
    for (let j = start; j < end; j++) dense[m * fb.nBins + fb.firstBin[m]! + j - start] = fb.weights[j]!;
  }
  return dense;
}
