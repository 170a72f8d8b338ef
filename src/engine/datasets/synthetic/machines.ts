/**
 * Machine sound models of the synthetic factory. Each machine type is a template; each machine id
 * draws its own profile from the template (fundamental, harmonic balance, resonances, modulation,
 * cycle timing differ subtly between ids of one type), and each clip renders the profile at a
 * per-clip speed and load. Rates follow a per-sample speed multiplier, so a speed change moves
 * every harmonic, cycle and impact rate together, as on a real machine.
 */
import type { Random } from '../prng.ts';
import {
  addGate,
  addHarmonics,
  addInto,
  addStrike,
  bandPassInPlace,
  cumulativePhase,
  dbToAmplitude,
  pinkNoise,
  rms,
  scaleToRms,
  whiteNoise,
  type Mode,
} from './dsp.ts';

export const MACHINE_TYPES = ['fan', 'pump', 'slider', 'valve', 'conveyor', 'gearbox'] as const;
export type MachineType = (typeof MACHINE_TYPES)[number];

export interface Resonance {
  freqHz: number;
  q: number;
  /** Linear gain of this band in the noise mix. */
  gain: number;
}

/** Everything that makes one machine id sound like itself. */
export interface MachineProfile {
  machineType: MachineType;
  /** Rotation rate of the main shaft at nominal speed (Hz); imbalance and bearing rates derive from it. */
  shaftHz: number;
  /** Fundamental of the tonal part (blade pass, vane pass, gear mesh, motor whine) at nominal speed (Hz). */
  toneHz: number;
  /** Relative amplitudes of the tonal harmonics 1, 2, … */
  harmonicAmps: number[];
  /** Resonant bands shaping the broadband (flow, friction, housing) noise. */
  resonances: Resonance[];
  /** Level of the tonal part relative to the noise part (dB). */
  tonalToNoiseDb: number;
  /** Normal amplitude modulation of the tonal part at the shaft rate (slight residual imbalance). */
  amDepth: number;
  /** Mains hum fundamental (Hz) and its level relative to the tonal part (dB), for electric drives. */
  humHz?: number;
  humDb?: number;
  /** Cyclic machines (slider, valve): period at nominal speed (s) and active fraction of a cycle. */
  cyclePeriodS?: number;
  activeFraction?: number;
  /** Impact modes (slider end stops, valve clicks, conveyor roller ticks) and their level relative to the mix (dB). */
  strikeModes?: Mode[];
  strikeDb?: number;
  /** Conveyor roller ticks per shaft revolution. */
  ticksPerRevolution?: number;
}

/** A value drawn around `centre` with relative spread ±`relative` (uniform). */
function around(rng: Random, centre: number, relative: number): number {
  return centre * (1 + rng.uniform(-relative, relative));
}

function powerLawHarmonics(rng: Random, count: number, exponent: number, spreadDb: number): number[] {
  return Array.from({ length: count }, (_, i) => (i + 1) ** -exponent * dbToAmplitude(rng.normal(0, spreadDb)));
}

function drawModes(rng: Random, count: number, loHz: number, hiHz: number, loDecayS: number, hiDecayS: number): Mode[] {
  return Array.from({ length: count }, () => ({
    freqHz: rng.uniform(loHz, hiHz),
    decayS: rng.uniform(loDecayS, hiDecayS),
    amplitude: rng.uniform(0.4, 1),
  }));
}

/**
 * Draw the profile of one machine id. `rng` must be the id's own stream. Ids of one type share the
 * template and differ by a few percent in rates and by a few dB in harmonic and resonance balance.
 */
export function drawMachineProfile(machineType: MachineType, rng: Random): MachineProfile {
  switch (machineType) {
    case 'fan': {
      const shaftHz = around(rng, 16, 0.06);
      return {
        machineType,
        shaftHz,
        toneHz: shaftHz * 7, // blade pass of a 7-blade impeller
        harmonicAmps: powerLawHarmonics(rng, 6, 1.2, 2.5),
        resonances: [
          { freqHz: around(rng, 700, 0.2), q: rng.uniform(0.8, 1.6), gain: 1 },
          { freqHz: around(rng, 1800, 0.2), q: rng.uniform(1, 2.5), gain: dbToAmplitude(rng.uniform(-9, -3)) },
        ],
        tonalToNoiseDb: rng.uniform(-6, -2),
        amDepth: rng.uniform(0.04, 0.1),
      };
    }
    case 'pump': {
      const shaftHz = around(rng, 24.5, 0.05);
      return {
        machineType,
        shaftHz,
        toneHz: shaftHz * 5, // vane pass of a 5-vane impeller
        harmonicAmps: powerLawHarmonics(rng, 8, 0.9, 3),
        resonances: [
          { freqHz: around(rng, 350, 0.25), q: rng.uniform(1.5, 4), gain: 1 },
          { freqHz: around(rng, 900, 0.25), q: rng.uniform(1.5, 4), gain: dbToAmplitude(rng.uniform(-8, -2)) },
        ],
        tonalToNoiseDb: rng.uniform(0, 4),
        amDepth: rng.uniform(0.08, 0.15),
        humHz: 100,
        humDb: rng.uniform(-16, -10),
      };
    }
    case 'gearbox': {
      const shaftHz = around(rng, 22, 0.06);
      return {
        machineType,
        shaftHz,
        toneHz: shaftHz * 23, // gear mesh of a 23-tooth pinion
        harmonicAmps: [1, 0.5, 0.3, 0.15].map((a) => a * dbToAmplitude(rng.normal(0, 2.5))),
        resonances: [
          { freqHz: around(rng, 1800, 0.3), q: rng.uniform(3, 6), gain: 1 },
          { freqHz: around(rng, 300, 0.3), q: rng.uniform(1, 2), gain: dbToAmplitude(rng.uniform(-6, 0)) },
        ],
        tonalToNoiseDb: rng.uniform(4, 8),
        amDepth: rng.uniform(0.2, 0.35), // mesh sidebands at the shaft rate are normal for gears
      };
    }
    case 'conveyor': {
      const shaftHz = around(rng, 30, 0.05);
      return {
        machineType,
        shaftHz,
        toneHz: shaftHz * 3,
        harmonicAmps: powerLawHarmonics(rng, 10, 1, 3),
        resonances: [
          { freqHz: around(rng, 250, 0.3), q: rng.uniform(1, 2), gain: 1 },
          { freqHz: around(rng, 1200, 0.3), q: rng.uniform(1, 2), gain: dbToAmplitude(rng.uniform(-10, -4)) },
        ],
        tonalToNoiseDb: rng.uniform(-2, 2),
        amDepth: rng.uniform(0.05, 0.1),
        strikeModes: drawModes(rng, 2, 1000, 3000, 0.004, 0.008),
        strikeDb: rng.uniform(-8, -4),
        ticksPerRevolution: 0.25,
      };
    }
    case 'slider': {
      return {
        machineType,
        shaftHz: around(rng, 25, 0.05),
        toneHz: around(rng, 220, 0.08), // servo motor whine while moving
        harmonicAmps: powerLawHarmonics(rng, 8, 1, 3),
        resonances: [{ freqHz: around(rng, 2000, 0.3), q: rng.uniform(1.5, 3), gain: 1 }], // rail friction
        tonalToNoiseDb: rng.uniform(-2, 3),
        amDepth: rng.uniform(0.03, 0.08),
        cyclePeriodS: around(rng, 2.0, 0.1),
        activeFraction: rng.uniform(0.35, 0.45), // per stroke; two strokes per cycle
        strikeModes: drawModes(rng, 2, 600, 2500, 0.012, 0.03),
        strikeDb: rng.uniform(-2, 2),
      };
    }
    case 'valve': {
      return {
        machineType,
        shaftHz: around(rng, 25, 0.05),
        toneHz: 50,
        harmonicAmps: [0.3, 1, 0.2, 0.4].map((a) => a * dbToAmplitude(rng.normal(0, 2))), // manifold hum
        resonances: [{ freqHz: around(rng, 4000, 0.2), q: rng.uniform(1, 2), gain: 1 }], // hiss while open
        tonalToNoiseDb: rng.uniform(-14, -8),
        amDepth: 0,
        cyclePeriodS: around(rng, 1.2, 0.15),
        activeFraction: rng.uniform(0.3, 0.5),
        strikeModes: drawModes(rng, 3, 1500, 4500, 0.004, 0.01),
        strikeDb: rng.uniform(4, 8), // clicks dominate a valve's sound
      };
    }
  }
}

/** How one clip is played: per-clip speed, load and modulation (normal variation and anomalies). */
export interface ClipConditions {
  sampleRateHz: number;
  length: number;
  /** Speed multiplier per sample (1 = the id's nominal speed). */
  speed: Float64Array;
  /** Gain of the tonal part and of the noise part for this clip (dB; load changes their balance). */
  tonalGainDb: number;
  noiseGainDb: number;
  /** Amplitude modulation depth at the shaft rate for this clip. */
  amDepth: number;
  /** Relative detuning of the resonances for this clip (temperature, mounting). */
  resonanceDetune: number;
}

/** Render the machine's own sound (no background, no anomaly), RMS 1 (unless silent). */
export function renderMachine(profile: MachineProfile, c: ClipConditions, rng: Random): Float64Array {
  const { sampleRateHz: fs, length, speed } = c;
  let maxSpeed = 0;
  for (let n = 0; n < length; n++) maxSpeed = Math.max(maxSpeed, speed[n]!);

  // Broadband part: pink noise through the id's resonant bands.
  const noise = new Float64Array(length);
  for (const r of profile.resonances) {
    const band = profile.machineType === 'valve' || profile.machineType === 'slider' ? whiteNoise(rng, length) : pinkNoise(rng, length);
    bandPassInPlace(band, fs, r.freqHz * (1 + c.resonanceDetune), r.q);
    scaleToRms(band, r.gain);
    addInto(noise, band);
  }

  // Tonal part: harmonics of the tone following speed, optionally modulated at the shaft rate.
  const tonal = new Float64Array(length);
  const tonePhase = cumulativePhase(profile.toneHz, speed, fs);
  const phases = profile.harmonicAmps.map(() => rng.uniform(0, 2 * Math.PI));
  addHarmonics(tonal, tonePhase, profile.harmonicAmps, phases, profile.toneHz * maxSpeed, fs);
  if (c.amDepth > 0) {
    const shaftPhase = cumulativePhase(profile.shaftHz, speed, fs);
    const p0 = rng.uniform(0, 2 * Math.PI);
    for (let n = 0; n < length; n++) tonal[n]! *= 1 + c.amDepth * Math.sin(2 * Math.PI * shaftPhase[n]! + p0);
  }
  if (profile.humHz !== undefined && profile.humDb !== undefined) {
    const hum = new Float64Array(length);
    const humPhase = cumulativePhase(profile.humHz, new Float64Array(length).fill(1), fs); // mains does not follow speed
    addHarmonics(hum, humPhase, [1, 0.5, 0.25, 0.12], [0, 1, 2, 3], profile.humHz, fs);
    scaleToRms(hum, rms(tonal) * dbToAmplitude(profile.humDb));
    addInto(tonal, hum);
  }

  scaleToRms(tonal, dbToAmplitude(profile.tonalToNoiseDb + c.tonalGainDb));
  scaleToRms(noise, dbToAmplitude(c.noiseGainDb));

  const out = new Float64Array(length);
  if (profile.cyclePeriodS !== undefined) {
    renderCycle(profile, c, rng, tonal, noise, out);
  } else {
    addInto(out, tonal);
    addInto(out, noise);
  }
  if (profile.ticksPerRevolution !== undefined && profile.strikeModes) addRollerTicks(profile, c, rng, out);
  scaleToRms(out, 1);
  return out;
}

/**
 * Cyclic machines: the slider moves in two strokes per cycle (motor and friction sound gated by
 * the motion, an end-stop impact at the end of each stroke); the valve clicks open and shut once
 * per cycle and hisses while open, over a faint steady hum.
 */
function renderCycle(profile: MachineProfile, c: ClipConditions, rng: Random, tonal: Float64Array, noise: Float64Array, out: Float64Array): void {
  const fs = c.sampleRateHz;
  const cyclePhase = cumulativePhase(1 / profile.cyclePeriodS!, c.speed, fs);
  const offset = rng.next();
  const strokes = profile.machineType === 'slider' ? 2 : 1;
  const active = profile.activeFraction!;
  const gate = new Float64Array(c.length);
  const eventsAt: number[] = [];
  // Walk the cycle phase and open a gate at the start of each stroke, beginning with the stroke
  // in progress when the clip starts (a random point of the cycle).
  const strokeLengthPhase = 1 / strokes;
  let nextStroke = (Math.ceil(offset * strokes) - 1) / strokes - offset;
  for (let n = 0; n < c.length; n++) {
    const p = cyclePhase[n]!;
    if (p >= nextStroke) {
      const periodSamples = (profile.cyclePeriodS! * fs) / c.speed[n]!;
      const activeSamples = Math.round(active * strokeLengthPhase * periodSamples);
      // The stroke began where the phase crossed the boundary (before the clip for the first one).
      const start = n - Math.round((p - nextStroke) * periodSamples) + Math.round(rng.normal(0, 0.004) * fs);
      addGate(gate, start, activeSamples, Math.round(0.03 * fs));
      // Slider: impact when the stroke ends; valve: click on opening and on closing.
      if (profile.machineType === 'slider') eventsAt.push(start + activeSamples);
      else eventsAt.push(start, start + activeSamples);
      nextStroke += strokeLengthPhase;
    }
  }
  // The valve's hum runs all the time; the slider's motor and both machines' noise follow the gate.
  for (let n = 0; n < c.length; n++) {
    const g = Math.min(1, gate[n]!);
    out[n] = (profile.machineType === 'valve' ? tonal[n]! : g * tonal[n]!) + g * noise[n]!;
  }
  const strikes = new Float64Array(c.length);
  for (const at of eventsAt) {
    if (at < 0 || at >= c.length) continue;
    addStrike(strikes, at, profile.strikeModes!, rng.uniform(0.7, 1), fs);
  }
  const level = rms(out) * dbToAmplitude(profile.strikeDb!);
  scaleToRms(strikes, level);
  addInto(out, strikes);
}

function addRollerTicks(profile: MachineProfile, c: ClipConditions, rng: Random, out: Float64Array): void {
  const fs = c.sampleRateHz;
  const tickPhase = cumulativePhase(profile.shaftHz * profile.ticksPerRevolution!, c.speed, fs);
  const ticks = new Float64Array(c.length);
  let next = Math.ceil(tickPhase[0]! + rng.next());
  for (let n = 0; n < c.length; n++) {
    if (tickPhase[n]! >= next) {
      const at = n + Math.round(rng.normal(0, 0.003) * fs);
      if (at >= 0 && at < c.length) addStrike(ticks, at, profile.strikeModes!, rng.uniform(0.6, 1), fs);
      next += 1;
    }
  }
  scaleToRms(ticks, rms(out) * dbToAmplitude(profile.strikeDb!));
  addInto(out, ticks);
}
