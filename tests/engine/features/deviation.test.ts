import { describe, expect, it } from 'vitest';
import {
  bandProfile,
  deviationMap,
  frameTimeS,
  melBandCentresHz,
  MIN_BAND_STD_DB,
  stitchWindows,
} from '../../../src/engine/features/deviation.ts';
import { hzToMelSlaney } from '../../../src/engine/features/mel.ts';

const stats = (mean: number[], std: number[]) => ({
  mean: Float32Array.from(mean),
  std: Float32Array.from(std),
  frameCount: 1,
});

describe('difference from normal', () => {
  it('band centres rise evenly on the Slaney mel scale inside 0…8 kHz', () => {
    const hz = melBandCentresHz();
    expect(hz).toHaveLength(128);
    const mels = hz.map(hzToMelSlaney);
    const step = mels[1]! - mels[0]!;
    for (let i = 1; i < 128; i++) expect(mels[i]! - mels[i - 1]!).toBeCloseTo(step, 9);
    expect(hz[0]).toBeGreaterThan(0);
    expect(hz[127]).toBeLessThan(8000);
  });

  it('stitches overlapping windows into one frame sequence (later windows win the overlap)', () => {
    // 2 bands, windows of 3 frames starting at frames 1 and 3.
    const w1 = Float32Array.from([1, 1, 2, 2, 3, 3]);
    const w2 = Float32Array.from([9, 9, 4, 4, 5, 5]);
    const s = stitchWindows([w1, w2], [1, 3], 2);
    expect(s.firstFrame).toBe(1);
    expect(s.frameCount).toBe(5);
    expect(Array.from(s.frames)).toEqual([1, 1, 2, 2, 9, 9, 4, 4, 5, 5]);
    expect(() => stitchWindows([w1], [1, 3], 2)).toThrow(/1 windows but 2/);
  });

  it('deviation map: (mean of the column frames − normal mean) / normal std, with time per column', () => {
    // 4 frames × 2 bands; normal mean [0, 10], std [1, 2].
    const frames = Float32Array.from([1, 10, 3, 14, -1, 6, -1, 8]);
    const m = deviationMap(frames, 0, stats([0, 10], [1, 2]), 2, 2);
    expect(m.columns).toBe(2);
    // column 0: frames 0–1 → band0 mean 2 → 2 σ; band1 mean 12 → 1 σ. column 1: band0 −1 σ, band1 mean 7 → −1.5 σ.
    expect(Array.from(m.values)).toEqual([2, 1, -1, -1.5]);
    expect(m.columnStartS).toEqual([0, frameTimeS(2)]);
    expect(m.columnEndS[1]).toBeCloseTo(frameTimeS(4), 12);
    // Never more columns than frames.
    expect(deviationMap(frames, 0, stats([0, 10], [1, 2]), 100, 2).columns).toBe(4);
  });

  it('a band that never varied in training is divided by the floor, not by ~0', () => {
    const m = deviationMap(Float32Array.from([1]), 0, stats([0], [0]), 1, 1);
    expect(m.values[0]).toBeCloseTo(1 / MIN_BAND_STD_DB, 6);
  });

  it('band profile: mean level per band and its deviation', () => {
    const p = bandProfile(Float32Array.from([1, 10, 3, 14]), stats([0, 10], [1, 2]), 2);
    expect(Array.from(p.clipMeanDb)).toEqual([2, 12]);
    expect(Array.from(p.deviation)).toEqual([2, 1]);
  });
});
