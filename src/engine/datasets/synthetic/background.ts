/**
 * Factory background heard behind every machine, normal and anomalous alike: pink noise and
 * low rumble, the hum of two or three other machines, and occasional unrelated events (a clank, a
 * burst of compressed air) that a detector must learn not to flag.
 */
import type { Random } from '../prng.ts';
import { addGate, addHarmonics, addInto, addStrike, bandPassInPlace, cumulativePhase, lowPassInPlace, pinkNoise, scaleToRms, whiteNoise } from './dsp.ts';

/** Background events per second (clanks and air bursts). */
const EVENT_RATE_PER_S = 0.15;

/** Factory background of `length` samples, RMS 1. */
export function renderBackground(rng: Random, length: number, sampleRateHz: number): Float64Array {
  const fs = sampleRateHz;
  const out = pinkNoise(rng, length);
  scaleToRms(out, 1);

  const rumble = whiteNoise(rng, length);
  lowPassInPlace(rumble, fs, 60);
  lowPassInPlace(rumble, fs, 60);
  scaleToRms(rumble, rng.uniform(0.3, 0.8));
  addInto(out, rumble);

  const others = rng.int(2, 3);
  for (let m = 0; m < others; m++) {
    const hum = new Float64Array(length);
    const baseHz = rng.uniform(40, 400);
    const phase = cumulativePhase(baseHz, new Float64Array(length).fill(1), fs);
    addHarmonics(hum, phase, [1, rng.uniform(0.2, 0.6), rng.uniform(0.1, 0.4)], [rng.next() * 6, rng.next() * 6, rng.next() * 6], baseHz, fs);
    scaleToRms(hum, rng.uniform(0.1, 0.35));
    addInto(out, hum);
  }

  const events = new Float64Array(length);
  for (let t = rng.exponential(EVENT_RATE_PER_S) * fs; t < length; t += rng.exponential(EVENT_RATE_PER_S) * fs) {
    const at = Math.floor(t);
    if (rng.next() < 0.5) {
      const modes = Array.from({ length: 3 }, () => ({ freqHz: rng.uniform(300, 3000), decayS: rng.uniform(0.03, 0.08), amplitude: rng.uniform(0.3, 1) }));
      addStrike(events, at, modes, rng.uniform(2, 6), fs);
    } else {
      const burst = whiteNoise(rng, length);
      bandPassInPlace(burst, fs, rng.uniform(2000, 6000), 1.5);
      const gate = new Float64Array(length);
      addGate(gate, at, Math.round(rng.uniform(0.3, 1.2) * fs), Math.round(0.05 * fs), rng.uniform(0.5, 1.5));
      for (let n = 0; n < length; n++) events[n]! += burst[n]! * gate[n]!;
    }
  }
  addInto(out, events);
  scaleToRms(out, 1);
  return out;
}
