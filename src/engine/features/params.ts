/**
 * Feature parameters of method.md §2. Every module that needs one of these numbers imports it
 * from here; the cache keys its files by `FEATURE_PARAMS.id`, so changing any value here (or the
 * computation in logmel.ts / windows.ts) must change the id.
 */

export const SAMPLE_RATE_HZ = 16000;
export const N_FFT = 1024;
export const HOP_SAMPLES = 512;
export const N_MELS = 128;
export const FMIN_HZ = 0;
export const FMAX_HZ = 8000;
/** Frames of the model's input window (10 s at 16 kHz with centred frames). */
export const WINDOW_FRAMES = 313;
/** Hop between windows of long recordings: 50 % overlap. */
export const WINDOW_HOP_FRAMES = 156;
/** Recordings up to this many frames (12 s) give exactly one window: the last 313 frames. */
export const SINGLE_WINDOW_MAX_FRAMES = 1 + Math.floor((12 * SAMPLE_RATE_HZ) / HOP_SAMPLES);
/** Floor of the mel power before the log (librosa `amin`). */
export const POWER_FLOOR = 1e-10;
/** Clips shorter than this are refused by the decoder. */
export const MIN_DURATION_S = 1;

export interface FeatureParams {
  /** Stable identifier of the whole feature computation, used in cache keys and model metadata. */
  readonly id: string;
  readonly sampleRateHz: number;
  readonly nFft: number;
  readonly hopSamples: number;
  readonly nMels: number;
  readonly fminHz: number;
  readonly fmaxHz: number;
  readonly window: 'hann-symmetric';
  readonly padding: 'reflect-centre';
  readonly melScale: 'slaney';
  readonly powerFloor: number;
  readonly windowFrames: number;
  readonly windowHopFrames: number;
  readonly singleWindowMaxFrames: number;
}

export const FEATURE_PARAMS: FeatureParams = Object.freeze({
  id: `logmel-v1-sr${SAMPLE_RATE_HZ}-fft${N_FFT}-hop${HOP_SAMPLES}-mel${N_MELS}-f${FMIN_HZ}-${FMAX_HZ}-win${WINDOW_FRAMES}-whop${WINDOW_HOP_FRAMES}`,
  sampleRateHz: SAMPLE_RATE_HZ,
  nFft: N_FFT,
  hopSamples: HOP_SAMPLES,
  nMels: N_MELS,
  fminHz: FMIN_HZ,
  fmaxHz: FMAX_HZ,
  window: 'hann-symmetric',
  padding: 'reflect-centre',
  melScale: 'slaney',
  powerFloor: POWER_FLOOR,
  windowFrames: WINDOW_FRAMES,
  windowHopFrames: WINDOW_HOP_FRAMES,
  singleWindowMaxFrames: SINGLE_WINDOW_MAX_FRAMES,
} as const);

/** Number of centred STFT frames of a signal of `sampleCount` samples. */
export function frameCountOf(sampleCount: number): number {
  return 1 + Math.floor(sampleCount / HOP_SAMPLES);
}
