/**
 * Signal primitives of the synthetic factory. All signals are Float64Array at `sampleRateHz`;
 * functions add into an output buffer (`addInto…`) or filter in place, so a clip is built without
 * temporary copies.
 */
import type { Random } from '../prng.ts';

/** RBJ band-pass biquad (0 dB peak gain) applied in place. `centreHz` must be below Nyquist. */
export function bandPassInPlace(x: Float64Array, sampleRateHz: number, centreHz: number, q: number): void {
  const w0 = (2 * Math.PI * Math.min(centreHz, sampleRateHz * 0.49)) / sampleRateHz;
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  const b0 = alpha / a0;
  const b2 = -alpha / a0;
  const a1 = (-2 * Math.cos(w0)) / a0;
  const a2 = (1 - alpha) / a0;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let n = 0; n < x.length; n++) {
    const xn = x[n]!;
    const yn = b0 * xn + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = xn;
    y2 = y1;
    y1 = yn;
    x[n] = yn;
  }
}

/** One-pole low-pass in place (cutoff `cutoffHz`, 6 dB/octave). */
export function lowPassInPlace(x: Float64Array, sampleRateHz: number, cutoffHz: number): void {
  const a = Math.exp((-2 * Math.PI * cutoffHz) / sampleRateHz);
  let y = 0;
  for (let n = 0; n < x.length; n++) {
    y = (1 - a) * x[n]! + a * y;
    x[n] = y;
  }
}

/** One-pole high-pass in place (cutoff `cutoffHz`). */
export function highPassInPlace(x: Float64Array, sampleRateHz: number, cutoffHz: number): void {
  const a = Math.exp((-2 * Math.PI * cutoffHz) / sampleRateHz);
  let lowState = 0;
  for (let n = 0; n < x.length; n++) {
    lowState = (1 - a) * x[n]! + a * lowState;
    x[n] = x[n]! - lowState;
  }
}

export function whiteNoise(rng: Random, length: number): Float64Array {
  const x = new Float64Array(length);
  for (let n = 0; n < length; n++) x[n] = rng.gaussian();
  return x;
}

/** Pink (1/f) noise by Paul Kellet's filter of white noise. */
export function pinkNoise(rng: Random, length: number): Float64Array {
  const x = new Float64Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  for (let n = 0; n < length; n++) {
    const w = rng.gaussian();
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    x[n] = (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362) * 0.11;
    b6 = w * 0.115926;
  }
  return x;
}

export function rms(x: Float64Array): number {
  let s = 0;
  for (let n = 0; n < x.length; n++) s += x[n]! * x[n]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Scale `x` in place to the given RMS (no-op for a silent signal). */
export function scaleToRms(x: Float64Array, targetRms: number): void {
  const r = rms(x);
  if (r === 0) return;
  const g = targetRms / r;
  for (let n = 0; n < x.length; n++) x[n]! *= g;
}

export function addInto(out: Float64Array, x: Float64Array, gain = 1): void {
  for (let n = 0; n < out.length; n++) out[n]! += gain * x[n]!;
}

export function dbToAmplitude(db: number): number {
  return 10 ** (db / 20);
}

/**
 * Running phase in cycles of a rate that follows `rateMultiplier` (one value per sample):
 * phase[n] = Σ_{m<n} baseHz·rateMultiplier[m]/fs. Sines of h·phase give harmonics that follow speed.
 */
export function cumulativePhase(baseHz: number, rateMultiplier: Float64Array, sampleRateHz: number): Float64Array {
  const phase = new Float64Array(rateMultiplier.length);
  let p = 0;
  for (let n = 0; n < phase.length; n++) {
    phase[n] = p;
    p += (baseHz * rateMultiplier[n]!) / sampleRateHz;
  }
  return phase;
}

/**
 * Add Σ_h amplitudes[h−1]·sin(2π·h·phase + phases[h−1]) to `out`, skipping harmonics whose
 * frequency (h·baseHz·maxMultiplier) would reach 0.48·fs (they would alias).
 */
export function addHarmonics(
  out: Float64Array,
  phase: Float64Array,
  amplitudes: readonly number[],
  startPhases: readonly number[],
  highestHz: number,
  sampleRateHz: number,
): void {
  for (let h = 1; h <= amplitudes.length; h++) {
    if (h * highestHz >= 0.48 * sampleRateHz) break;
    const a = amplitudes[h - 1]!;
    if (a === 0) continue;
    const p0 = startPhases[h - 1] ?? 0;
    const w = 2 * Math.PI * h;
    for (let n = 0; n < out.length; n++) out[n]! += a * Math.sin(w * phase[n]! + p0);
  }
}

export interface Mode {
  freqHz: number;
  /** Decay time constant in seconds. */
  decayS: number;
  amplitude: number;
}

/** Add a struck resonant body (sum of exponentially decaying sines) starting at sample `start`. */
export function addStrike(out: Float64Array, start: number, modes: readonly Mode[], gain: number, sampleRateHz: number): void {
  for (const mode of modes) {
    const length = Math.min(out.length - start, Math.ceil(mode.decayS * 6 * sampleRateHz));
    const w = (2 * Math.PI * mode.freqHz) / sampleRateHz;
    const decay = Math.exp(-1 / (mode.decayS * sampleRateHz));
    let env = gain * mode.amplitude;
    for (let k = 0; k < length; k++) {
      out[start + k]! += env * Math.sin(w * k);
      env *= decay;
    }
  }
}

/**
 * Smooth random wander around 0 (raised-cosine interpolation between random knots every
 * `knotIntervalS`), standard deviation ≈ `sd`: slow speed and load fluctuation within a clip.
 */
export function smoothWander(rng: Random, length: number, sampleRateHz: number, knotIntervalS: number, sd: number): Float64Array {
  const knotSamples = Math.max(1, Math.round(knotIntervalS * sampleRateHz));
  const knots = new Float64Array(Math.ceil(length / knotSamples) + 2);
  for (let k = 0; k < knots.length; k++) knots[k] = rng.normal(0, sd);
  const out = new Float64Array(length);
  for (let n = 0; n < length; n++) {
    const k = Math.floor(n / knotSamples);
    const t = (n - k * knotSamples) / knotSamples;
    const mix = 0.5 - 0.5 * Math.cos(Math.PI * t);
    out[n] = knots[k]! * (1 - mix) + knots[k + 1]! * mix;
  }
  return out;
}

/** Raised-cosine (Hann) gate of `lengthSamples` starting at `start`, with `rampSamples` fades, multiplied by `gain`, added to `envelope`. */
export function addGate(envelope: Float64Array, start: number, lengthSamples: number, rampSamples: number, gain = 1): void {
  const end = Math.min(envelope.length, start + lengthSamples);
  const ramp = Math.max(1, Math.min(rampSamples, Math.floor(lengthSamples / 2)));
  for (let n = Math.max(0, start); n < end; n++) {
    const fromStart = n - start;
    const toEnd = end - 1 - n;
    const edge = Math.min(fromStart, toEnd);
    const g = edge >= ramp ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp);
    envelope[n]! += gain * g;
  }
}
