/**
 * Anomalies of the synthetic factory. Two act on how the machine runs (frequency drift changes its
 * speed, imbalance strengthens the modulation at the shaft rate and adds a 1× component); four add
 * a fault sound (bearing impulses, whine, friction bursts, rattle). Difficulty sets the size of the
 * change; additive levels are in dB relative to the machine's own RMS over the clip. The levels
 * were set from physical plausibility before any detector was run and are not tuned to any method.
 */
import type { Random } from '../prng.ts';
import { addGate, addStrike, bandPassInPlace, cumulativePhase, dbToAmplitude, scaleToRms, whiteNoise, type Mode } from './dsp.ts';
import type { MachineProfile } from './machines.ts';

export const ANOMALY_KINDS = ['bearing', 'drift', 'whine', 'imbalance', 'friction', 'rattle'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];
export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/** Level of the added fault sound relative to the machine RMS (dB), per kind and difficulty. */
const ADDED_LEVEL_DB: Record<'bearing' | 'whine' | 'friction' | 'rattle', Record<Difficulty, number>> = {
  bearing: { easy: -12, medium: -18, hard: -24 },
  whine: { easy: -18, medium: -24, hard: -30 },
  friction: { easy: -10, medium: -16, hard: -22 },
  rattle: { easy: -10, medium: -16, hard: -22 },
};
/** Relative speed change reached at the end of the clip (normal clips vary with sd 1.5 %). */
const DRIFT: Record<Difficulty, number> = { easy: 0.1, medium: 0.06, hard: 0.035 };
/** Amplitude modulation depth at the shaft rate (normal ids have 0–0.35 by design of the type). */
const IMBALANCE_DEPTH: Record<Difficulty, number> = { easy: 0.6, medium: 0.4, hard: 0.25 };

/**
 * Speed multiplier of a drifting machine: starts at 1 + δ/2 and ends at 1 + δ (sign random), so
 * the whole clip is off-speed, increasingly so.
 */
export function driftSpeedFactor(difficulty: Difficulty, rng: Random, length: number): Float64Array {
  const delta = DRIFT[difficulty] * (rng.next() < 0.5 ? -1 : 1);
  const out = new Float64Array(length);
  for (let n = 0; n < length; n++) out[n] = 1 + delta * (0.5 + (0.5 * n) / length);
  return out;
}

export function imbalanceDepth(difficulty: Difficulty): number {
  return IMBALANCE_DEPTH[difficulty];
}

/**
 * The imbalance's own 1× vibration component (shaft rate), at 20·log10(depth) − 6 dB re the
 * machine, to be added to the machine signal.
 */
export function imbalanceTone(profile: MachineProfile, speed: Float64Array, difficulty: Difficulty, rng: Random, sampleRateHz: number, machineRms: number): Float64Array {
  const phase = cumulativePhase(profile.shaftHz, speed, sampleRateHz);
  const p0 = rng.uniform(0, 2 * Math.PI);
  const out = new Float64Array(speed.length);
  for (let n = 0; n < out.length; n++) out[n] = Math.sin(2 * Math.PI * phase[n]! + p0);
  scaleToRms(out, machineRms * dbToAmplitude(20 * Math.log10(IMBALANCE_DEPTH[difficulty]) - 6));
  return out;
}

/** The added fault sound of an additive anomaly kind, scaled to its level re `machineRms`. */
export function renderAddedFault(
  kind: 'bearing' | 'whine' | 'friction' | 'rattle',
  difficulty: Difficulty,
  profile: MachineProfile,
  speed: Float64Array,
  rng: Random,
  sampleRateHz: number,
  machineRms: number,
): Float64Array {
  const fs = sampleRateHz;
  const length = speed.length;
  const out = new Float64Array(length);
  switch (kind) {
    case 'bearing': {
      // Outer-race defect: impulses at a non-integer multiple of the shaft rate, each ringing a
      // high-frequency structural resonance, stronger when the defect passes the load zone.
      const defectRatio = rng.uniform(3.1, 5.3);
      const modes: Mode[] = [
        { freqHz: rng.uniform(2500, 6000), decayS: rng.uniform(0.001, 0.003), amplitude: 1 },
        { freqHz: rng.uniform(2500, 6000), decayS: rng.uniform(0.001, 0.003), amplitude: 0.6 },
      ];
      const defectPhase = cumulativePhase(profile.shaftHz * defectRatio, speed, fs);
      const shaftPhase = cumulativePhase(profile.shaftHz, speed, fs);
      let next = Math.ceil(defectPhase[0]! + rng.next());
      for (let n = 0; n < length; n++) {
        if (defectPhase[n]! < next) continue;
        next += 1;
        const loadZone = 0.6 + 0.4 * Math.cos(2 * Math.PI * shaftPhase[n]!);
        const at = n + Math.round(rng.normal(0, 0.0003) * fs);
        if (at >= 0 && at < length) addStrike(out, at, modes, loadZone * rng.uniform(0.7, 1), fs);
      }
      break;
    }
    case 'whine': {
      // A tone from a worn component, following speed, with slight vibrato and a second harmonic.
      const ratio = rng.uniform(700, 4500) / profile.shaftHz;
      const vibratoHz = rng.uniform(2, 6);
      const phase = cumulativePhase(profile.shaftHz * ratio, speed, fs);
      for (let n = 0; n < length; n++) {
        const vib = 0.003 * ratio * Math.sin((2 * Math.PI * vibratoHz * n) / fs);
        const p = 2 * Math.PI * (phase[n]! + vib);
        out[n] = Math.sin(p) + 0.4 * Math.sin(2 * p);
      }
      break;
    }
    case 'friction': {
      // A few squealing rubs: narrow-band noise around a squeal frequency, 80–400 ms each.
      const squealHz = rng.uniform(1500, 6000);
      const band = whiteNoise(rng, length);
      bandPassInPlace(band, fs, squealHz, rng.uniform(8, 20));
      const gate = new Float64Array(length);
      const bursts = rng.int(2, 6);
      for (let b = 0; b < bursts; b++) {
        const durationSamples = Math.round(rng.uniform(0.08, 0.4) * fs);
        addGate(gate, rng.int(0, Math.max(0, length - durationSamples)), durationSamples, Math.round(0.015 * fs), rng.uniform(0.6, 1));
      }
      for (let n = 0; n < length; n++) out[n] = band[n]! * gate[n]!;
      break;
    }
    case 'rattle': {
      // A loose part: irregular metallic impacts in one to three episodes.
      const modes: Mode[] = Array.from({ length: 3 }, () => ({
        freqHz: rng.uniform(800, 5000),
        decayS: rng.uniform(0.003, 0.008),
        amplitude: rng.uniform(0.4, 1),
      }));
      const episodes = rng.int(1, 3);
      const ratePerS = rng.uniform(4, 12);
      for (let e = 0; e < episodes; e++) {
        const episodeSamples = Math.round(rng.uniform(0.3, 0.8) * (length / episodes));
        const start = rng.int(0, Math.max(0, length - episodeSamples));
        for (let t = start + rng.exponential(ratePerS) * fs; t < start + episodeSamples; t += rng.exponential(ratePerS) * fs) {
          addStrike(out, Math.floor(t), modes, rng.uniform(0.3, 1), fs);
        }
      }
      break;
    }
  }
  scaleToRms(out, machineRms * dbToAmplitude(ADDED_LEVEL_DB[kind][difficulty]));
  return out;
}
