/**
 * Band-limited sample-rate conversion by a rational factor L/M (polyphase Kaiser-windowed sinc).
 * The low-pass cuts at 95 % of the lower Nyquist frequency with ≥ 90 dB stop-band attenuation, so
 * content above the new Nyquist frequency does not alias (a 12 kHz tone in a 48 kHz file is gone
 * after conversion to 16 kHz) while the pass band (≤ 7.2 kHz at 16 kHz) stays flat within 0.01 dB.
 */

/** Zero crossings of the sinc on each side of the centre tap. */
const ZERO_CROSSINGS = 64;
/** Cut-off relative to the lower of the two Nyquist frequencies. */
const ROLLOFF = 0.95;
/** Kaiser β for about 90 dB stop-band attenuation: 0.1102·(A − 8.7). */
const KAISER_BETA = 0.1102 * (90 - 8.7);

/** Most filter phases (L) built: each is one row of taps. */
export const MAX_PHASES = 1024;
/** Most taps in the whole filter bank (L × taps per phase): 2^21 doubles = 16 MiB. */
export const MAX_BANK_TAPS = 2 ** 21;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Taps per phase of the low-pass for the conversion L/M (see `resample`). */
function tapsPerPhase(up: number, down: number): number {
  const cutoff = 0.5 * ROLLOFF * Math.min(1, up / down);
  const halfLength = ZERO_CROSSINGS / (2 * cutoff);
  return 2 * Math.ceil(halfLength);
}

export interface ResampleRatio {
  /** L: output samples per `down` input samples. */
  up: number;
  /** M. */
  down: number;
  /** |L/M − toHz/fromHz| / (toHz/fromHz): 0 when the exact ratio fits the bounds. */
  relativeError: number;
}

/**
 * The conversion factor L/M used for `fromHz` → `toHz`: the exact reduced ratio when its filter
 * bank fits (≤ MAX_PHASES phases, ≤ MAX_BANK_TAPS taps), otherwise the closest continued-fraction
 * convergent that does. An odd rate such as 1,535,999 Hz would otherwise need ~16,000 phases of
 * ~13,000 taps (1.6 GiB); approximated, the signal is read as if sampled at toHz·M/L instead, a
 * relative pitch/time error of `relativeError` (README: its largest value over every rate the
 * decoders accept).
 */
export function resampleRatio(fromHz: number, toHz: number): ResampleRatio {
  const g = gcd(fromHz, toHz);
  const exact = { up: toHz / g, down: fromHz / g };
  const fits = (up: number, down: number) => up <= MAX_PHASES && up * tapsPerPhase(up, down) <= MAX_BANK_TAPS;
  if (fits(exact.up, exact.down)) return { ...exact, relativeError: 0 };
  // Convergents p/q of x = toHz/fromHz: each the best approximation with a denominator that small.
  const x = toHz / fromHz;
  let [p0, q0, p1, q1] = [0, 1, 1, 0];
  let rest = x;
  let best = { up: Math.max(1, Math.round(x)), down: 1 };
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(rest);
    const [p2, q2] = [a * p1 + p0, a * q1 + q0];
    if (p2 !== 0 && !fits(p2, q2)) {
      // The semi-convergents (k·p1 + p0)/(k·q1 + q0), k < a, lie between the last two
      // convergents: the largest that fits may still beat the last convergent.
      for (let k = Math.min(a - 1, Math.floor((MAX_PHASES - p0) / Math.max(1, p1))); k >= 1; k--) {
        const [p, q] = [k * p1 + p0, k * q1 + q0];
        if (p === 0 || !fits(p, q)) continue;
        if (Math.abs(p / q - x) < Math.abs(best.up / best.down - x)) best = { up: p, down: q };
        break;
      }
      break;
    }
    if (p2 !== 0) best = { up: p2, down: q2 };
    [p0, q0, p1, q1] = [p1, q1, p2, q2];
    const frac = rest - a;
    if (frac < 1e-12 || (p2 === exact.up && q2 === exact.down)) break;
    rest = 1 / frac;
  }
  return { ...best, relativeError: Math.abs(best.up / best.down - x) / x };
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for x ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const halfX = x / 2;
  for (let k = 1; k < 64; k++) {
    term *= (halfX / k) ** 2;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/**
 * Resample `samples` from `fromHz` to `toHz` (both positive integers). Output length is
 * ⌈n·L/M⌉ with L/M from `resampleRatio` (= toHz/fromHz unless the exact ratio needs too large a
 * filter bank); the signal is taken as zero outside its ends.
 */
export function resample(samples: Float32Array, fromHz: number, toHz: number): Float32Array {
  if (!Number.isInteger(fromHz) || !Number.isInteger(toHz) || fromHz <= 0 || toHz <= 0) {
    throw new Error(`resample: rates must be positive integers (got ${fromHz} Hz → ${toHz} Hz)`);
  }
  if (fromHz === toHz) return samples.slice();
  const { up, down } = resampleRatio(fromHz, toHz); // L, M
  // Cut-off in cycles per input sample.
  const cutoff = 0.5 * ROLLOFF * Math.min(1, up / down);
  const halfLength = ZERO_CROSSINGS / (2 * cutoff); // input samples on each side
  const tapsBefore = Math.ceil(halfLength) - 1; // taps at offsets −tapsBefore..tapsAfter of ⌊t⌋
  const tapsAfter = Math.ceil(halfLength);
  const tapCount = tapsBefore + tapsAfter + 1;
  const i0Beta = besselI0(KAISER_BETA);
  const phaseTaps: (Float64Array | undefined)[] = new Array(up);
  const tapsOfPhase = (phase: number): Float64Array => {
    let taps = phaseTaps[phase];
    if (taps) return taps;
    taps = new Float64Array(tapCount);
    const frac = phase / up;
    let sum = 0;
    for (let j = 0; j < tapCount; j++) {
      const x = j - tapsBefore - frac; // input sample position minus output time
      const r = x / halfLength;
      if (Math.abs(r) >= 1) continue;
      const arg = 2 * cutoff * x;
      const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
      const w = 2 * cutoff * sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta);
      taps[j] = w;
      sum += w;
    }
    // Unit DC gain for every phase (removes the small ripple of the truncated kernel).
    for (let j = 0; j < tapCount; j++) taps[j]! /= sum;
    phaseTaps[phase] = taps;
    return taps;
  };

  const n = samples.length;
  const outLength = Math.ceil((n * up) / down);
  const out = new Float32Array(outLength);
  const wholeStep = Math.floor(down / up);
  const phaseStep = down % up;
  let base = 0; // ⌊t⌋ in input samples
  let phase = 0; // (t − ⌊t⌋)·L
  for (let k = 0; k < outLength; k++) {
    const taps = tapsOfPhase(phase);
    const first = base - tapsBefore;
    let acc = 0;
    if (first >= 0 && first + tapCount <= n) {
      acc = dot(taps, samples, first, tapCount);
    } else {
      const jStart = Math.max(0, -first);
      const jEnd = Math.min(tapCount, n - first);
      for (let j = jStart; j < jEnd; j++) acc += taps[j]! * samples[first + j]!;
    }
    out[k] = acc;
    base += wholeStep;
    phase += phaseStep;
    if (phase >= up) {
      phase -= up;
      base++;
    }
  }
  return out;
}

/** Σ taps[j]·x[offset + j] for j < count, with four partial sums (shorter dependency chains). */
function dot(taps: Float64Array, x: Float32Array, offset: number, count: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let j = 0;
  for (; j + 3 < count; j += 4) {
    a0 += taps[j]! * x[offset + j]!;
    a1 += taps[j + 1]! * x[offset + j + 1]!;
    a2 += taps[j + 2]! * x[offset + j + 2]!;
    a3 += taps[j + 3]! * x[offset + j + 3]!;
  }
  for (; j < count; j++) a0 += taps[j]! * x[offset + j]!;
  return a0 + a1 + a2 + a3;
}
