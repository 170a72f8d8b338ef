/**
 * How much audio a decoder may produce from one file. Checked from the header (WAV) or the frame
 * headers (FLAC) before any sample buffer is allocated, so a small hostile file cannot make the
 * process allocate gigabytes (a FLAC frame of constant subframes packs 65,535 samples per channel
 * into a few bytes).
 */
import { AudioDecodeError } from './errors.ts';

/** Longest recording decoded, seconds (split longer ones). */
export const MAX_DURATION_S = 3600;
/** Most decoded samples (frames × channels) per file: 2^28 floats = 1 GiB. */
export const MAX_DECODED_SAMPLES = 2 ** 28;

export interface DecodeLimits {
  /** Default MAX_DURATION_S. */
  maxDurationS?: number;
  /** Default MAX_DECODED_SAMPLES. */
  maxDecodedSamples?: number;
}

/** Throws an AudioDecodeError naming the file when `frames` of `channels` exceed the limits. */
export function checkDecodedLength(
  fileName: string,
  frames: number,
  channels: number,
  sampleRateHz: number,
  limits: DecodeLimits = {},
): void {
  const maxDurationS = limits.maxDurationS ?? MAX_DURATION_S;
  const maxSamples = limits.maxDecodedSamples ?? MAX_DECODED_SAMPLES;
  const durationS = frames / sampleRateHz;
  if (durationS > maxDurationS)
    throw new AudioDecodeError(
      fileName,
      `the recording is ${durationS.toFixed(1)} s long; recordings over ${maxDurationS} s are not decoded, split them`,
    );
  if (frames * channels > maxSamples)
    throw new AudioDecodeError(
      fileName,
      `the recording holds ${frames * channels} samples (${channels} channels × ${frames} frames); more than ${maxSamples} are not decoded, split it`,
    );
}
