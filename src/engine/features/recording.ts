/**
 * decode → log-Mel → windows for one recording: the feature step of the data path, shared by the
 * feature cache, its workers and the CLI.
 */
import type { DecodedAudio } from '../audio/decode.ts';
import { logMelSpectrogram } from './logmel.ts';
import { splitIntoWindows, type FeatureWindow } from './windows.ts';

export interface RecordingFeatures {
  /** Frames of the whole recording's log-Mel. */
  frames: number;
  /** The model's 313 × 128 windows (un-normalised dB), in time order. */
  windows: FeatureWindow[];
}

export function recordingFeatures(audio: DecodedAudio): RecordingFeatures {
  const logMel = logMelSpectrogram(audio.samples);
  return { frames: logMel.frames, windows: splitIntoWindows(logMel) };
}

/** The windows one after another: (windows·313) × 128 float32, row-major. */
export function concatWindows(windows: FeatureWindow[]): Float32Array {
  const out = new Float32Array(windows.reduce((n, w) => n + w.data.length, 0));
  let offset = 0;
  for (const w of windows) {
    out.set(w.data, offset);
    offset += w.data.length;
  }
  return out;
}
