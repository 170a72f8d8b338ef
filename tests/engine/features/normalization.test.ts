import { describe, expect, it } from 'vitest';
import {
  NormStatsAccumulator,
  normStatsFromJson,
  normStatsToJson,
  normalizeInPlace,
} from '../../../src/engine/features/normalization.ts';
import { temporalMax, temporalMean, temporalMeanMax } from '../../../src/engine/features/simple.ts';
import { N_MELS } from '../../../src/engine/features/params.ts';

/** Deterministic pseudo-log-Mel frames: band m has mean about −60 + m/4 and spread about 5 + m/64. */
function frames(count: number, seed: number): Float32Array {
  const out = new Float32Array(count * N_MELS);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const m = i % N_MELS;
    out[i] = -60 + m / 4 + (s / 2 ** 32 - 0.5) * (10 + m / 32);
  }
  return out;
}

/** Two-pass mean and population std in float64 over all frames. */
function batchStats(all: Float32Array[]): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(N_MELS);
  const std = new Float64Array(N_MELS);
  let n = 0;
  for (const a of all) for (let i = 0; i < a.length; i++) mean[i % N_MELS]! += a[i]!;
  for (const a of all) n += a.length / N_MELS;
  for (let m = 0; m < N_MELS; m++) mean[m]! /= n;
  for (const a of all)
    for (let i = 0; i < a.length; i++) std[i % N_MELS]! += (a[i]! - mean[i % N_MELS]!) ** 2;
  for (let m = 0; m < N_MELS; m++) std[m] = Math.sqrt(std[m]! / n);
  return { mean, std };
}

describe('normalisation statistics', () => {
  const parts = [frames(313, 1), frames(313, 2), frames(100, 3), frames(1, 4)];
  const reference = batchStats(parts);

  it('streaming accumulation equals the two-pass mean and population std', () => {
    const acc = new NormStatsAccumulator();
    for (const p of parts) acc.add(p);
    const stats = acc.finish();
    expect(stats.frameCount).toBe(727);
    for (let m = 0; m < N_MELS; m++) {
      expect(stats.mean[m]).toBeCloseTo(reference.mean[m]!, 4);
      expect(stats.std[m]).toBeCloseTo(reference.std[m]!, 4);
    }
    // the synthetic bands really differ, so a per-band mix-up would fail
    expect(stats.mean[127]! - stats.mean[0]!).toBeGreaterThan(30);
  });

  it('merging per-worker accumulators gives the same statistics', () => {
    const a = new NormStatsAccumulator().add(parts[0]!).add(parts[1]!);
    const b = new NormStatsAccumulator().add(parts[2]!).add(parts[3]!);
    const merged = a.merge(b).finish();
    for (let m = 0; m < N_MELS; m++) {
      expect(merged.mean[m]).toBeCloseTo(reference.mean[m]!, 4);
      expect(merged.std[m]).toBeCloseTo(reference.std[m]!, 4);
    }
  });

  it('normalised training frames have per-band mean 0 and std 1', () => {
    const stats = parts.reduce((acc, p) => acc.add(p), new NormStatsAccumulator()).finish();
    const normalised = parts.map((p) => normalizeInPlace(p.slice(), stats));
    const check = batchStats(normalised);
    for (let m = 0; m < N_MELS; m++) {
      expect(check.mean[m]).toBeCloseTo(0, 4);
      expect(check.std[m]).toBeCloseTo(1, 4);
    }
  });

  it('a constant band divides by std + 1e-12 (no NaN)', () => {
    const stats = new NormStatsAccumulator().add(new Float32Array(N_MELS * 3).fill(-100)).finish();
    expect(stats.std.every((s) => s === 0)).toBe(true);
    const x = normalizeInPlace(new Float32Array(N_MELS).fill(-100), stats);
    expect(x.every((v) => v === 0)).toBe(true);
  });

  it('JSON round trip', () => {
    const stats = new NormStatsAccumulator().add(parts[0]!).finish();
    const back = normStatsFromJson(JSON.parse(JSON.stringify(normStatsToJson(stats))));
    expect(back.mean).toEqual(stats.mean);
    expect(back.std).toEqual(stats.std);
    expect(back.frameCount).toBe(313);
    expect(() => normStatsFromJson({ mean: [1], std: [1], frameCount: 1 })).toThrow(/expected/);
  });

  it('refuses partial frames and empty statistics', () => {
    expect(() => new NormStatsAccumulator().add(new Float32Array(100))).toThrow(/whole frames/);
    expect(() => new NormStatsAccumulator().finish()).toThrow(/no frames/);
  });
});

describe('simple representations', () => {
  it('temporal mean and max per band', () => {
    const w = new Float32Array(3 * N_MELS);
    for (let t = 0; t < 3; t++) for (let m = 0; m < N_MELS; m++) w[t * N_MELS + m] = (t === 1 ? 10 : -t) + m;
    const { mean, max } = temporalMeanMax(w);
    for (let m = 0; m < N_MELS; m++) {
      expect(mean[m]).toBeCloseTo((0 + 10 - 2) / 3 + m, 4);
      expect(max[m]).toBe(10 + m);
    }
    expect(temporalMean(w)).toEqual(mean);
    expect(temporalMax(w)).toEqual(max);
    expect(mean.length).toBe(128);
  });
});
