/**
 * Per-band normalisation of method.md §2: mean and standard deviation of every mel band over all
 * training frames, x ← (x − mean)/(std + 1e-12). The statistics are accumulated in a streaming way
 * (Chan et al.'s parallel update of mean and sum of squared deviations, in float64), so training
 * sets that do not fit in memory are fine and partial accumulators (one per worker) can be merged.
 */
import { N_MELS } from './params.ts';

export const NORM_EPSILON = 1e-12;

export interface NormStats {
  /** Per-band mean, dB (length 128). */
  mean: Float32Array;
  /** Per-band population standard deviation, dB (length 128). */
  std: Float32Array;
  /** Frames the statistics were computed from. */
  frameCount: number;
}

/** The JSON form of NormStats (plain arrays). */
export interface NormStatsJson {
  mean: number[];
  std: number[];
  frameCount: number;
}

export class NormStatsAccumulator {
  private count = 0;
  private readonly mean = new Float64Array(N_MELS);
  private readonly m2 = new Float64Array(N_MELS);
  private readonly batchMean = new Float64Array(N_MELS);
  private readonly batchM2 = new Float64Array(N_MELS);

  get frameCount(): number {
    return this.count;
  }

  /** Add log-Mel frames: `data` is frames × 128 row-major (any number of whole frames). */
  add(data: Float32Array): this {
    if (data.length % N_MELS !== 0)
      throw new Error(
        `NormStatsAccumulator.add: ${data.length} values are not whole frames of ${N_MELS} bands`,
      );
    const frames = data.length / N_MELS;
    if (frames === 0) return this;
    const { batchMean, batchM2 } = this;
    batchMean.fill(0);
    batchM2.fill(0);
    for (let t = 0; t < frames; t++) {
      const row = t * N_MELS;
      for (let m = 0; m < N_MELS; m++) batchMean[m]! += data[row + m]!;
    }
    for (let m = 0; m < N_MELS; m++) batchMean[m]! /= frames;
    for (let t = 0; t < frames; t++) {
      const row = t * N_MELS;
      for (let m = 0; m < N_MELS; m++) {
        const d = data[row + m]! - batchMean[m]!;
        batchM2[m]! += d * d;
      }
    }
    this.combine(frames, batchMean, batchM2);
    return this;
  }

  /** Fold another accumulator's frames into this one. */
  merge(other: NormStatsAccumulator): this {
    if (other.count > 0) this.combine(other.count, other.mean, other.m2);
    return this;
  }

  private combine(n: number, mean: Float64Array, m2: Float64Array): void {
    const total = this.count + n;
    for (let m = 0; m < N_MELS; m++) {
      const delta = mean[m]! - this.mean[m]!;
      this.mean[m]! += (delta * n) / total;
      this.m2[m]! += m2[m]! + (delta * delta * this.count * n) / total;
    }
    this.count = total;
  }

  finish(): NormStats {
    if (this.count === 0) throw new Error('NormStatsAccumulator.finish: no frames were added');
    const mean = new Float32Array(N_MELS);
    const std = new Float32Array(N_MELS);
    for (let m = 0; m < N_MELS; m++) {
      mean[m] = this.mean[m]!;
      std[m] = Math.sqrt(this.m2[m]! / this.count);
    }
    return { mean, std, frameCount: this.count };
  }
}

/** x ← (x − mean)/(std + 1e-12) for every frame of `data` (frames × 128, row-major). */
export function normalizeInPlace(data: Float32Array, stats: NormStats): Float32Array {
  if (data.length % N_MELS !== 0)
    throw new Error(`normalizeInPlace: ${data.length} values are not whole frames of ${N_MELS} bands`);
  const { mean } = stats;
  const invStd = new Float64Array(N_MELS);
  for (let m = 0; m < N_MELS; m++) invStd[m] = 1 / (stats.std[m]! + NORM_EPSILON);
  for (let row = 0; row < data.length; row += N_MELS) {
    for (let m = 0; m < N_MELS; m++) data[row + m] = (data[row + m]! - mean[m]!) * invStd[m]!;
  }
  return data;
}

export function normStatsToJson(stats: NormStats): NormStatsJson {
  return { mean: Array.from(stats.mean), std: Array.from(stats.std), frameCount: stats.frameCount };
}

export function normStatsFromJson(json: unknown): NormStats {
  const j = json as Partial<NormStatsJson> | null;
  const okArray = (a: unknown): a is number[] =>
    Array.isArray(a) && a.length === N_MELS && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!j || !okArray(j.mean) || !okArray(j.std) || typeof j.frameCount !== 'number') {
    throw new Error(
      `normalisation statistics: expected {mean: number[${N_MELS}], std: number[${N_MELS}], frameCount: number}`,
    );
  }
  if (j.std.some((s) => s < 0)) throw new Error('normalisation statistics: a standard deviation is negative');
  return { mean: Float32Array.from(j.mean), std: Float32Array.from(j.std), frameCount: j.frameCount };
}
