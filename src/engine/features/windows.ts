/**
 * Cutting a recording's log-Mel into the model's 313-frame windows.
 * - Up to 12 s (≤ 376 frames): one window, the last 313 frames (method.md §2). A clip shorter
 *   than 313 frames is padded by wrapping around: the window is the clip repeated cyclically,
 *   ending with the clip's last frame (as if the "last 313 frames" of the clip played in a loop).
 * - Longer recordings: windows of 313 frames with 50 % overlap (hop 156 frames) from the start,
 *   plus a last window aligned to the end, so every frame is covered (a regular window starting
 *   less than 78 frames before that last one is left out).
 */
import {
  HOP_SAMPLES,
  N_MELS,
  SAMPLE_RATE_HZ,
  SINGLE_WINDOW_MAX_FRAMES,
  WINDOW_FRAMES,
  WINDOW_HOP_FRAMES,
} from './params.ts';
import type { LogMel } from './logmel.ts';

export interface FeatureWindow {
  /** First frame of the window in the recording's log-Mel (0 for a wrapped short clip). */
  startFrame: number;
  /** Time of that frame's centre in the recording, seconds (startFrame·512/16000). */
  startS: number;
  /** 313 × 128, row-major, dB (a copy: safe to normalise in place). */
  data: Float32Array;
}

/** Start frames of the windows of a log-Mel with `frames` frames (see the module comment). */
export function windowStartFrames(frames: number): number[] {
  if (!Number.isInteger(frames) || frames < 1)
    throw new Error(`windowStartFrames: ${frames} is not a positive frame count`);
  if (frames <= SINGLE_WINDOW_MAX_FRAMES) return [Math.max(0, frames - WINDOW_FRAMES)];
  const lastStart = frames - WINDOW_FRAMES;
  // Regular windows start every hop; one that would start less than half a hop before the final
  // window adds almost nothing and is dropped (the gap to the final window stays < 1.5 hops, well
  // under a window, so every frame is still covered).
  const starts: number[] = [0];
  for (let s = WINDOW_HOP_FRAMES; s <= lastStart - WINDOW_HOP_FRAMES / 2; s += WINDOW_HOP_FRAMES)
    starts.push(s);
  starts.push(lastStart);
  return starts;
}

export function frameStartS(frame: number): number {
  return (frame * HOP_SAMPLES) / SAMPLE_RATE_HZ;
}

/** One 313 × 128 window starting at `startFrame` (wrapping around when the log-Mel is shorter). */
export function extractWindow(logMel: LogMel, startFrame: number): Float32Array {
  const { data, frames } = logMel;
  if (frames >= WINDOW_FRAMES) {
    if (startFrame < 0 || startFrame + WINDOW_FRAMES > frames)
      throw new Error(`extractWindow: window at frame ${startFrame} exceeds ${frames} frames`);
    return data.slice(startFrame * N_MELS, (startFrame + WINDOW_FRAMES) * N_MELS);
  }
  const out = new Float32Array(WINDOW_FRAMES * N_MELS);
  // Window row r holds clip frame (r − (313 − frames)) mod frames, so the last row is the last frame.
  const shift = WINDOW_FRAMES - frames;
  for (let r = 0; r < WINDOW_FRAMES; r++) {
    const f = (((r - shift) % frames) + frames) % frames;
    out.set(data.subarray(f * N_MELS, (f + 1) * N_MELS), r * N_MELS);
  }
  return out;
}

/** All windows of a recording's log-Mel, in time order. */
export function splitIntoWindows(logMel: LogMel): FeatureWindow[] {
  return windowStartFrames(logMel.frames).map((startFrame) => ({
    startFrame,
    startS: frameStartS(startFrame),
    data: extractWindow(logMel, startFrame),
  }));
}
