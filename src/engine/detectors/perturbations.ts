/**
 * Synthetic faults added to held-out normal clips, to estimate — without any anomaly label —
 * how well each detector would separate a machine's normal sound from a changed one. The kinds
 * mirror the faults the synthetic factory makes (and real machines show): an added tone (whine),
 * impulses ringing a resonance (bearing, rattle), band-limited noise (friction, leaks), a
 * spectral tilt (wear, load) and a speed shift (drift). Levels are moderate on purpose: faults
 * every detector finds would not tell detectors apart.
 *
 * Deterministic: a perturbation depends only on the clip's samples, its kind and `seed` (derived
 * from a clip identity the caller gives, e.g. the content hash), never on the order of calls.
 */
import { resample } from '../audio/resample.ts';
import { deriveSeed, hashString, Random } from '../datasets/prng.ts';
import { addStrike, bandPassInPlace, dbToAmplitude, highPassInPlace, rms, whiteNoise } from '../datasets/synthetic/dsp.ts';
import { SAMPLE_RATE_HZ } from '../features/params.ts';

export const PERTURBATION_KINDS = ['tone', 'impulses', 'band-noise', 'tilt', 'speed'] as const;
export type PerturbationKind = (typeof PERTURBATION_KINDS)[number];

/** Levels relative to the clip's RMS (dB), and the other fixed sizes of the perturbations. */
export const PERTURBATION_LEVELS = Object.freeze({
  toneDb: -22,
  impulsesDb: -14,
  bandNoiseDb: -20,
  /** Gain of the high-passed (> 2 kHz) signal added back: ≈ +2.5 dB above 2 kHz. */
  tiltGain: 0.33,
  /** Relative speed change (the sign is drawn per clip). */
  speedShift: 0.04,
});

/** The seed of one clip's perturbations from a stable identity (content hash, file name). */
export function perturbationSeed(clipIdentity: string): number {
  return hashString(`perturbation/${clipIdentity}`);
}

/** A copy of `samples` (16 kHz mono) with fault `kind` added; deterministic in (samples, kind, seed). */
export function perturbAudio(samples: Float32Array, kind: PerturbationKind, seed: number): Float32Array {
  const fs = SAMPLE_RATE_HZ;
  const n = samples.length;
  if (n === 0) throw new Error('perturbAudio: the clip is empty');
  const rng = new Random(deriveSeed(seed, kind));
  const x = Float64Array.from(samples);
  const level = rms(x) || 1e-4;
  const added = new Float64Array(n);
  switch (kind) {
    case 'tone': {
      const freqHz = rng.uniform(600, 4000);
      const vibratoHz = rng.uniform(0.5, 3);
      const phase0 = rng.uniform(0, 2 * Math.PI);
      let phase = phase0;
      for (let t = 0; t < n; t++) {
        added[t] = Math.sin(phase);
        phase += (2 * Math.PI * freqHz * (1 + 0.005 * Math.sin((2 * Math.PI * vibratoHz * t) / fs))) / fs;
      }
      return mix(x, added, level * dbToAmplitude(PERTURBATION_LEVELS.toneDb));
    }
    case 'impulses': {
      const rateHz = rng.uniform(8, 30);
      const modes = [
        { freqHz: rng.uniform(2500, 6000), decayS: 0.004, amplitude: 1 },
        { freqHz: rng.uniform(1000, 2500), decayS: 0.006, amplitude: 0.5 },
      ];
      for (let t = Math.floor(rng.uniform(0, fs / rateHz)); t < n; t += Math.max(1, Math.round((fs / rateHz) * (1 + rng.uniform(-0.1, 0.1))))) {
        addStrike(added, t, modes, 1, fs);
      }
      return mix(x, added, level * dbToAmplitude(PERTURBATION_LEVELS.impulsesDb));
    }
    case 'band-noise': {
      const noise = whiteNoise(rng, n);
      bandPassInPlace(noise, fs, rng.uniform(1000, 6000), 4);
      return mix(x, noise, level * dbToAmplitude(PERTURBATION_LEVELS.bandNoiseDb));
    }
    case 'tilt': {
      const high = Float64Array.from(x);
      highPassInPlace(high, fs, 2000);
      for (let t = 0; t < n; t++) x[t]! += PERTURBATION_LEVELS.tiltGain * high[t]!;
      return Float32Array.from(x);
    }
    case 'speed': {
      // Read the clip as if recorded at fs·(1 ± shift) and convert to fs: pitch and tempo change
      // together, as when a motor runs faster or slower. Looped to the original length.
      const factor = 1 + (rng.next() < 0.5 ? -1 : 1) * PERTURBATION_LEVELS.speedShift;
      const shifted = resample(samples, Math.round(fs * factor), fs);
      const out = new Float32Array(n);
      for (let t = 0; t < n; t++) out[t] = shifted[t % shifted.length]!;
      return out;
    }
  }
}

/** x + gain·(added scaled to RMS 1), as float32. */
function mix(x: Float64Array, added: Float64Array, gain: number): Float32Array {
  const g = gain / (rms(added) || 1);
  return Float32Array.from(x, (v, t) => v + g * added[t]!);
}
