/**
 * log-Mel spectrogram of method.md §2: centred STFT (reflect padding n_fft/2), symmetric Hann
 * window of n_fft, power spectrum, Slaney mel filterbank 0–8 kHz, 10·log10(max(1e-10, ·)).
 * Computed in float64 (the 1e-3 dB golden tolerance also holds for quiet bands), returned as
 * float32.
 */
import { RealFft } from './fft.ts';
import { slaneyMelFilterbank, type MelFilterbank } from './mel.ts';
import { HOP_SAMPLES, N_FFT, N_MELS, POWER_FLOOR, frameCountOf } from './params.ts';

export interface LogMel {
  /** frames × N_MELS, row-major, dB. */
  data: Float32Array;
  frames: number;
}

/** numpy.hanning(n): the symmetric Hann window 0.5 − 0.5·cos(2πi/(n−1)). */
export function symmetricHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
  return w;
}

/** Index into a signal of `length` samples with numpy 'reflect' padding (edge not repeated). */
function reflectIndex(i: number, length: number): number {
  if (length === 1) return 0;
  const period = 2 * (length - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < length ? j : period - j;
}

class LogMelComputer {
  private readonly fft = new RealFft(N_FFT);
  private readonly window = symmetricHann(N_FFT);
  private readonly filterbank: MelFilterbank = slaneyMelFilterbank();
  /** Edge frames, which reach into the reflect padding, are assembled here. */
  private readonly edgeFrame = new Float32Array(N_FFT);
  private readonly power = new Float64Array((N_FFT >> 1) + 1);

  compute(pcm: Float32Array): LogMel {
    const length = pcm.length;
    if (length === 0) throw new Error('logMelSpectrogram: the signal is empty');
    const frames = frameCountOf(length);
    const data = new Float32Array(frames * N_MELS);
    const { fft, window, edgeFrame, power } = this;
    const { firstBin, offsets, weights } = this.filterbank;
    const pad = N_FFT >> 1;
    const log10Scale = 10 / Math.LN10;
    for (let t = 0; t < frames; t++) {
      const start = t * HOP_SAMPLES - pad;
      if (start >= 0 && start + N_FFT <= length) {
        fft.windowedPowerSpectrum(pcm, start, window, power);
      } else {
        for (let i = 0; i < N_FFT; i++) edgeFrame[i] = pcm[reflectIndex(start + i, length)]!;
        fft.windowedPowerSpectrum(edgeFrame, 0, window, power);
      }
      const rowOffset = t * N_MELS;
      for (let m = 0; m < N_MELS; m++) {
        const wStart = offsets[m]!;
        const wEnd = offsets[m + 1]!;
        const binOffset = firstBin[m]! - wStart;
        let acc = 0;
        for (let j = wStart; j < wEnd; j++) acc += weights[j]! * power[binOffset + j]!;
        data[rowOffset + m] = log10Scale * Math.log(acc > POWER_FLOOR ? acc : POWER_FLOOR);
      }
    }
    return { data, frames };
  }
}

let shared: LogMelComputer | undefined;

/**
 * log-Mel of `pcm` (16 kHz mono, any length ≥ 1 sample): frames = 1 + ⌊len/512⌋, data is
 * frames × 128 row-major in dB (10 s → 313 frames).
 */
export function logMelSpectrogram(pcm: Float32Array): LogMel {
  shared ??= new LogMelComputer();
  return shared.compute(pcm);
}
