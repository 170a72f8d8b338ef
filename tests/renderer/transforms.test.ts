import { describe, expect, it } from 'vitest';
import {
  alarmsPerDay,
  deviationImage,
  deviationRange,
  divergingColor,
  histogramBars,
  indexAxisMax,
  indexOfScore,
  sparklinePoints,
  SPARKLINE_CAP,
  stepInWalk,
  strongestBands,
  targetRateForAlarmsPerWeek,
  windowRegions,
} from '../../src/renderer/src/charts/transforms.ts';
import { interpolateColormap } from '../../src/renderer/src/charts/colormaps.ts';
import type { SeriesPoint } from '../../src/shared/screens-api.ts';

const point = (index: number | null, i = 0): SeriesPoint => ({
  recordingId: i + 1,
  fileName: `c${i}.wav`,
  at: '2026-11-29T10:00:00Z',
  clipScore: index ?? 0,
  index,
  label: 'unknown',
  alarmId: null,
  alarmStatus: null,
});

describe('chart transforms', () => {
  it('sparkline: clips without an index are skipped, far-off indices drawn at the cap with their real value kept', () => {
    const pts = sparklinePoints([point(0.2, 0), point(null, 1), point(12, 2)]);
    expect(pts).toEqual([
      [0, 0.2, 0.2],
      [2, SPARKLINE_CAP, 12],
    ]);
    expect(indexAxisMax([0.3, null, 0.5])).toBe(1.1);
    expect(indexAxisMax([2.5])).toBe(2.8);
  });

  it('histogram bars: one per bin with its range and both counts', () => {
    const bars = histogramBars({ edges: [0, 0.5, 1], heldoutCounts: [3, 1], monitoredCounts: [0, 2] });
    expect(bars).toEqual([
      { x: 0.25, from: 0, to: 0.5, heldout: 3, monitored: 0 },
      { x: 0.75, from: 0.5, to: 1, heldout: 1, monitored: 2 },
    ]);
  });

  it('false alarms per week ↔ per-clip rate at the clip rate', () => {
    expect(targetRateForAlarmsPerWeek(1, 144)).toBeCloseTo(1 / 1008, 12);
    expect(targetRateForAlarmsPerWeek(1e6, 1)).toBe(1);
    expect(targetRateForAlarmsPerWeek(1, 0)).toBe(0);
    expect(alarmsPerDay(0.1, 144)).toBeCloseTo(14.4, 12);
    expect(alarmsPerDay(null, 144)).toBeNull();
    expect(indexOfScore(30, { heldoutMedian: 10, threshold: 30 })).toBe(1);
  });

  it('score strip: a region per window, clipped to the clip, marked over the threshold', () => {
    const regions = windowRegions(
      {
        clipScore: 9,
        index: 2,
        backend: 'gmm',
        windowScores: [3, 9],
        windowIndices: [0.4, 2],
        windowStartsS: [0, 4.875],
        windowDurationS: 10.016,
        scoredAt: '',
      },
      5,
      12,
    );
    expect(regions).toEqual([
      { startS: 0, endS: 10.016, index: 0.4, score: 3, over: false },
      { startS: 4.875, endS: 12, index: 2, score: 9, over: true },
    ]);
  });

  it('deviation image: visible columns only, highest band in the top row, diverging colours centred on 0', () => {
    const dev = {
      bandsHz: [100, 1000],
      columnStartS: [0, 1, 2],
      columnEndS: [1, 2, 3],
      // column-major: [c0b0, c0b1, c1b0, c1b1, c2b0, c2b1]
      values: [0, 6, -6, 0, 3, 3],
    };
    expect(deviationRange(dev.values)).toBe(6);
    expect(deviationRange([0.2])).toBe(3);
    expect(deviationRange([40])).toBe(8);
    const colors = ['#0000ff', '#ffffff', '#ff0000'];
    expect(divergingColor(0, 6, colors)).toEqual([255, 255, 255]);
    expect(divergingColor(6, 6, colors)).toEqual([255, 0, 0]);
    expect(divergingColor(-60, 6, colors)).toEqual([0, 0, 255]);
    const img = deviationImage(dev, { startS: 0.5, endS: 1.5 }, 6, colors)!;
    expect(img.width).toBe(2);
    expect(img.height).toBe(2);
    expect([img.startS, img.endS]).toEqual([0, 2]);
    const px = (x: number, y: number) => Array.from(img.rgba.slice((y * 2 + x) * 4, (y * 2 + x) * 4 + 3));
    expect(px(0, 0)).toEqual([255, 0, 0]); // column 0, band 1 (top row): +6 σ
    expect(px(0, 1)).toEqual([255, 255, 255]); // column 0, band 0: 0 σ
    expect(px(1, 1)).toEqual([0, 0, 255]); // column 1, band 0: −6 σ
    expect(deviationImage(dev, { startS: 5, endS: 6 }, 6, colors)).toBeNull();
  });

  it('strongest bands by |σ|, with the level difference in dB', () => {
    const s = strongestBands(
      { bandsHz: [100, 200, 300], clipMeanDb: [-30, -20, -50], normalMeanDb: [-30, -26, -40], normalStdDb: [1, 2, 2], deviation: [0, 3, -5] },
      2,
    );
    expect(s).toEqual([
      { hz: 300, deviation: -5, diffDb: -10 },
      { hz: 200, deviation: 3, diffDb: 6 },
    ]);
  });

  it('j/k walk: next and previous within the list, null at the ends, the first when outside it', () => {
    expect(stepInWalk([9, 7, 4], 7, 1)).toBe(4);
    expect(stepInWalk([9, 7, 4], 7, -1)).toBe(9);
    expect(stepInWalk([9, 7, 4], 4, 1)).toBeNull();
    expect(stepInWalk([9, 7, 4], 9, -1)).toBeNull();
    expect(stepInWalk([9, 7, 4], 5, 1)).toBe(9);
    expect(stepInWalk([], 5, 1)).toBeNull();
  });

  it('the spectrogram colour map has 256 RGBA entries from dark to light', () => {
    const map = interpolateColormap([
      [0, 0, 0],
      [255, 255, 255],
    ]);
    expect(map).toHaveLength(256);
    expect(map[0]).toEqual([0, 0, 0, 1]);
    expect(map[255]).toEqual([1, 1, 1, 1]);
  });
});
