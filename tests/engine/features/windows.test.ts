import { describe, expect, it } from 'vitest';
import { extractWindow, splitIntoWindows, windowStartFrames } from '../../../src/engine/features/windows.ts';
import {
  N_MELS,
  SINGLE_WINDOW_MAX_FRAMES,
  WINDOW_FRAMES,
  WINDOW_HOP_FRAMES,
  frameCountOf,
} from '../../../src/engine/features/params.ts';
import type { LogMel } from '../../../src/engine/features/logmel.ts';

/** A log-Mel whose every value encodes its frame: value = frame + band/1000. */
function indexedLogMel(frames: number): LogMel {
  const data = new Float32Array(frames * N_MELS);
  for (let t = 0; t < frames; t++) for (let m = 0; m < N_MELS; m++) data[t * N_MELS + m] = t + m / 1000;
  return { data, frames };
}
const frameOfRow = (w: Float32Array, row: number): number => Math.round(w[row * N_MELS]!);

describe('windowing', () => {
  it('a 10 s clip (313 frames) is one window: the whole clip', () => {
    const frames = frameCountOf(160000);
    expect(frames).toBe(313);
    const [w, ...rest] = splitIntoWindows(indexedLogMel(frames));
    expect(rest).toHaveLength(0);
    expect(w!.startFrame).toBe(0);
    expect(w!.startS).toBe(0);
    expect(frameOfRow(w!.data, 0)).toBe(0);
  });

  it('clips up to 12 s give one window: the last 313 frames', () => {
    for (const frames of [314, 350, SINGLE_WINDOW_MAX_FRAMES]) {
      const windows = splitIntoWindows(indexedLogMel(frames));
      expect(windows).toHaveLength(1);
      expect(windows[0]!.startFrame).toBe(frames - WINDOW_FRAMES);
      expect(windows[0]!.startS).toBeCloseTo(((frames - WINDOW_FRAMES) * 512) / 16000, 12);
      expect(frameOfRow(windows[0]!.data, WINDOW_FRAMES - 1)).toBe(frames - 1);
      expect(windows[0]!.data[5]).toBeCloseTo(frames - WINDOW_FRAMES + 0.005, 4);
    }
    expect(SINGLE_WINDOW_MAX_FRAMES).toBe(frameCountOf(12 * 16000));
  });

  it('shorter clips are padded by wrapping around, ending with the last frame', () => {
    const frames = 100; // ~3.2 s
    const [w] = splitIntoWindows(indexedLogMel(frames));
    expect(w!.startFrame).toBe(0);
    expect(w!.data.length).toBe(WINDOW_FRAMES * N_MELS);
    expect(frameOfRow(w!.data, WINDOW_FRAMES - 1)).toBe(99);
    expect(frameOfRow(w!.data, WINDOW_FRAMES - 100)).toBe(0);
    // Row r holds frame (r − 213) mod 100.
    for (let r = 0; r < WINDOW_FRAMES; r++)
      expect(frameOfRow(w!.data, r)).toBe((((r - 213) % 100) + 100) % 100);
    // whole rows are copied (all 128 bands)
    expect(w!.data[(WINDOW_FRAMES - 1) * N_MELS + 127]).toBeCloseTo(99.127, 4);
  });

  it('long recordings: 313-frame windows with 50 % overlap, the last aligned to the end', () => {
    const frames = frameCountOf(16000 * 60); // 1 minute: 1876 frames
    const windows = splitIntoWindows(indexedLogMel(frames));
    const starts = windows.map((w) => w.startFrame);
    expect(starts[0]).toBe(0);
    for (let i = 1; i < starts.length - 1; i++) expect(starts[i]! - starts[i - 1]!).toBe(WINDOW_HOP_FRAMES);
    expect(starts.at(-1)).toBe(frames - WINDOW_FRAMES);
    // The final window is at least half a hop after the last regular one, and leaves no gap.
    expect(starts.at(-1)! - starts.at(-2)!).toBeGreaterThanOrEqual(WINDOW_HOP_FRAMES / 2);
    expect(starts.at(-1)! - starts.at(-2)!).toBeLessThan(1.5 * WINDOW_HOP_FRAMES);
    expect(starts).toEqual([...Array.from({ length: 10 }, (_, i) => i * WINDOW_HOP_FRAMES), 1563]);
    const covered = new Set(
      windows.flatMap((w) => Array.from({ length: WINDOW_FRAMES }, (_, r) => w.startFrame + r)),
    );
    expect(covered.size).toBe(frames);
    for (const w of windows) {
      expect(frameOfRow(w.data, 0)).toBe(w.startFrame);
      expect(frameOfRow(w.data, WINDOW_FRAMES - 1)).toBe(w.startFrame + WINDOW_FRAMES - 1);
      expect(w.startS).toBeCloseTo((w.startFrame * 512) / 16000, 12);
    }
  });

  it('just over 12 s gives two windows: the start and the end', () => {
    expect(windowStartFrames(SINGLE_WINDOW_MAX_FRAMES + 1)).toEqual([
      0,
      SINGLE_WINDOW_MAX_FRAMES + 1 - WINDOW_FRAMES,
    ]);
  });

  it('windows are copies: normalising one in place leaves the others and the log-Mel intact', () => {
    const lm = indexedLogMel(1000);
    const [a, b] = splitIntoWindows(lm);
    a!.data.fill(0);
    expect(frameOfRow(b!.data, 0)).toBe(WINDOW_HOP_FRAMES);
    expect(lm.data[WINDOW_HOP_FRAMES * N_MELS]).toBe(WINDOW_HOP_FRAMES);
  });

  it('rejects impossible requests', () => {
    expect(() => windowStartFrames(0)).toThrow(/positive frame count/);
    expect(() => extractWindow(indexedLogMel(400), 100)).toThrow(/exceeds 400 frames/);
  });
});
