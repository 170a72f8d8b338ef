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

/** Symmetric colour range of a deviation map, σ: its largest |value|, between `minRange` and `maxRange`. */
export function deviationRange(values: readonly number[], minRange = 3, maxRange = 8): number {
  let maxAbs = 0;
  for (const v of values) if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  return Math.min(maxRange, Math.max(minRange, Math.ceil(maxAbs)));
}

function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Colour of `v` on `colors` spread evenly over [−range, +range] (linear between stops, clamped). */
export function divergingColor(v: number, range: number, colors: readonly string[]): [number, number, number] {
  const f = Math.min(1, Math.max(0, (v + range) / (2 * range))) * (colors.length - 1);
  const k = Math.min(colors.length - 2, Math.floor(f));
  const a = hexRgb(colors[k]!);
  const b = hexRgb(colors[k + 1]!);
  const t = f - k;
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as [number, number, number];
}

/**
 * The deviation map's columns inside the visible time range as RGBA pixels, one per cell: width =
 * visible columns, height = bands with the highest band in the top row. Null when none is visible.
 */
export function deviationImage(
  dev: ClipInspection['deviation'],
  view: { startS: number; endS: number },
  range: number,
  colors: readonly string[],
): { rgba: Uint8ClampedArray<ArrayBuffer>; width: number; height: number; startS: number; endS: number } | null {
  const bands = dev.bandsHz.length;
  const cols: number[] = [];
  dev.columnStartS.forEach((s, c) => {
    if (dev.columnEndS[c]! > view.startS && s < view.endS) cols.push(c);
  });
  if (!cols.length || !bands) return null;
  const rgba = new Uint8ClampedArray(cols.length * bands * 4);
  cols.forEach((c, x) => {
    for (let b = 0; b < bands; b++) {
      const [r, g, bl] = divergingColor(dev.values[c * bands + b]!, range, colors);
      const o = ((bands - 1 - b) * cols.length + x) * 4;
      rgba[o] = r;
      rgba[o + 1] = g;
      rgba[o + 2] = bl;
      rgba[o + 3] = 255;
    }
  });
  return { rgba, width: cols.length, height: bands, startS: dev.columnStartS[cols[0]!]!, endS: dev.columnEndS[cols.at(-1)!]! };
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

/** Which of `n` mel bands get an axis label: the lowest, the highest and three between. */
export function labelledBands(n: number): Set<number> {
  return new Set([0, Math.round(n * 0.25), Math.round(n * 0.5), Math.round(n * 0.75), n - 1]);
}
