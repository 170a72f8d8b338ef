/**
 * Data transforms behind the charts, strips and heat maps: pure functions from contract data to
 * what ECharts and wavesurfer's regions draw (tested in tests/renderer/transforms.test.ts).
 */
import type { ClipInspection, ScoreDistribution, SeriesPoint } from '../../../shared/screens-api';
import { healthIndexOf, type HealthScaleView } from '../../../shared/health';

/** A threshold score as a health index (null when the scale is degenerate). */
export function indexOfScore(score: number, scale: HealthScaleView): number | null {
  return healthIndexOf(score, scale);
}

/** Expected alarms per day from a per-clip rate and the machine's clip rate. */
export function alarmsPerDay(ratePerClip: number | null, clipsPerDay: number | null): number | null {
  return ratePerClip === null || clipsPerDay === null ? null : ratePerClip * clipsPerDay;
}

/** The per-clip false-alarm rate that gives `alarmsPerWeek` at `clipsPerDay` (clamped to 0…1). */
export function targetRateForAlarmsPerWeek(alarmsPerWeek: number, clipsPerDay: number): number {
  if (!(clipsPerDay > 0)) return 0;
  return Math.min(1, Math.max(0, alarmsPerWeek / (7 * clipsPerDay)));
}

/** Highest index a sparkline draws: far-off spikes are drawn at the cap so the band around 1 stays readable. */
export const SPARKLINE_CAP = 3;

/**
 * Sparkline points: [position, drawn index, real index] for clips with an index (oldest first);
 * indices above `cap` are drawn at the cap (the tooltip and the marker say the real value).
 */
export function sparklinePoints(points: readonly SeriesPoint[], cap = SPARKLINE_CAP): [number, number, number][] {
  const out: [number, number, number][] = [];
  points.forEach((p, i) => {
    if (p.index !== null) out.push([i, Math.min(cap, p.index), p.index]);
  });
  return out;
}

/** Upper end of an index axis: the threshold (1) and every point visible, with a little headroom. */
export function indexAxisMax(values: readonly (number | null)[]): number {
  let max = 1;
  for (const v of values) if (v !== null && Number.isFinite(v) && v > max) max = v;
  return Math.ceil(max * 1.1 * 10) / 10;
}

export interface HistogramBar {
  /** Bin centre, index units. */
  x: number;
  from: number;
  to: number;
  heldout: number;
  monitored: number;
}

/** Histogram bins as bars (held-out normal vs monitored) with their ranges. */
export function histogramBars(d: Pick<ScoreDistribution, 'edges' | 'heldoutCounts' | 'monitoredCounts'>): HistogramBar[] {
  return d.heldoutCounts.map((heldout, i) => ({
    x: (d.edges[i]! + d.edges[i + 1]!) / 2,
    from: d.edges[i]!,
    to: d.edges[i + 1]!,
    heldout,
    monitored: d.monitoredCounts[i] ?? 0,
  }));
}

export interface TimeRegion {
  startS: number;
  endS: number;
  index: number | null;
  score: number;
  over: boolean;
}

/**
 * The score strip of a clip: one region per analysis window, clipped to the clip's duration,
 * marked `over` when the window's score is at or above the threshold.
 */
export function windowRegions(score: NonNullable<ClipInspection['score']>, threshold: number | null, durationS: number): TimeRegion[] {
  return score.windowScores.map((s, i) => {
    const startS = Math.max(0, score.windowStartsS[i] ?? 0);
    return {
      startS,
      endS: Math.min(durationS, startS + score.windowDurationS),
      index: score.windowIndices[i] ?? null,
      score: s,
      over: threshold !== null && s >= threshold,
    };
  });
}

/**
 * Heat-map cells of the deviation map: [column, band, σ] (ECharts heatmap data), plus the largest
 * |σ| for a symmetric colour scale centred on 0 (at least `minRange`, at most `maxRange`).
 */
export function deviationCells(
  dev: ClipInspection['deviation'],
  minRange = 3,
  maxRange = 8,
): { cells: [number, number, number][]; range: number } {
  const bands = dev.bandsHz.length;
  const columns = dev.columnStartS.length;
  const cells: [number, number, number][] = new Array(columns * bands);
  let maxAbs = 0;
  for (let c = 0; c < columns; c++)
    for (let b = 0; b < bands; b++) {
      const v = dev.values[c * bands + b]!;
      cells[c * bands + b] = [c, b, v];
      if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
    }
  return { cells, range: Math.min(maxRange, Math.max(minRange, Math.ceil(maxAbs))) };
}

/** The bands that depart most from normal (by |σ|), strongest first: "where in frequency". */
export function strongestBands(
  profile: ClipInspection['bandProfile'],
  count = 3,
): { hz: number; deviation: number; diffDb: number }[] {
  return profile.deviation
    .map((deviation, i) => ({
      hz: profile.bandsHz[i]!,
      deviation,
      diffDb: profile.clipMeanDb[i]! - profile.normalMeanDb[i]!,
    }))
    .sort((a, b) => Math.abs(b.deviation) - Math.abs(a.deviation))
    .slice(0, count);
}

/** Next/previous id in a walk list (j/k); null at either end or when `current` is not in it. */
export function stepInWalk(walk: readonly number[], current: number, step: 1 | -1): number | null {
  const i = walk.indexOf(current);
  if (i < 0) return walk.length ? walk[0]! : null;
  const j = i + step;
  return j >= 0 && j < walk.length ? walk[j]! : null;
}
