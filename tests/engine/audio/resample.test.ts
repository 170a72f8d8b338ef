import { describe, expect, it } from 'vitest';
import { resample } from '../../../src/engine/audio/resample.ts';
import { decodeAudioBytes } from '../../../src/engine/audio/decode.ts';
import { encodeWav } from '../../../src/engine/audio/wav-encode.ts';

function tone(frequencyHz: number, sampleRateHz: number, durationS: number, amplitude = 0.5): Float32Array {
  const n = Math.round(sampleRateHz * durationS);
  return Float32Array.from(
    { length: n },
    (_, i) => amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz),
  );
}

/** RMS of the middle of `x` (the edges, where the filter runs into zeros, are left out). */
function rmsMiddle(x: Float32Array, marginSamples: number): number {
  let sum = 0;
  for (let i = marginSamples; i < x.length - marginSamples; i++) sum += x[i]! ** 2;
  return Math.sqrt(sum / (x.length - 2 * marginSamples));
}

const db = (ratio: number): number => 20 * Math.log10(ratio);
const toneRms = (amplitude: number): number => amplitude / Math.SQRT2;

describe('resample', () => {
  for (const rateHz of [48000, 44100, 22050, 32000, 8000, 11025, 96000]) {
    it(`a 1 kHz tone at ${rateHz} Hz keeps its level within 0.1 dB at 16 kHz`, () => {
      const y = resample(tone(1000, rateHz, 1), rateHz, 16000);
      expect(y.length).toBe(16000);
      expect(Math.abs(db(rmsMiddle(y, 1600) / toneRms(0.5)))).toBeLessThan(0.1);
    });
  }

  it('a 12 kHz tone in a 48 kHz file (above the new 8 kHz Nyquist) is attenuated by ≥ 60 dB', () => {
    const y = resample(tone(12000, 48000, 1), 48000, 16000);
    expect(db(rmsMiddle(y, 1600) / toneRms(0.5))).toBeLessThan(-60);
  });

  it('tones just above the new Nyquist frequency (8.5 and 9 kHz at 44.1 kHz) are suppressed too', () => {
    for (const f of [8500, 9000, 15000]) {
      const y = resample(tone(f, 44100, 1), 44100, 16000);
      expect(db(rmsMiddle(y, 1600) / toneRms(0.5)), `${f} Hz`).toBeLessThan(-60);
    }
  });

  it('the pass band is flat: 7 kHz at 48 kHz keeps its level within 0.1 dB', () => {
    const y = resample(tone(7000, 48000, 1), 48000, 16000);
    expect(Math.abs(db(rmsMiddle(y, 1600) / toneRms(0.5)))).toBeLessThan(0.1);
  });

  it('the tone keeps its phase (no delay): output sample k is the input at k·3', () => {
    const x = tone(440, 48000, 1);
    const y = resample(x, 48000, 16000);
    for (let k = 2000; k < 2100; k++) expect(Math.abs(y[k]! - x[3 * k]!)).toBeLessThan(1e-3);
  });

  it('upsampling 8 kHz → 16 kHz interpolates a 1 kHz tone', () => {
    const y = resample(tone(1000, 8000, 1), 8000, 16000);
    const exact = tone(1000, 16000, 1);
    let maxErr = 0;
    for (let i = 800; i < 15200; i++) maxErr = Math.max(maxErr, Math.abs(y[i]! - exact[i]!));
    expect(maxErr).toBeLessThan(1e-3);
  });

  it('16 kHz input is returned unchanged (a copy)', () => {
    const x = tone(1000, 16000, 1);
    const y = resample(x, 16000, 16000);
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
  });

  it('rejects non-integer and non-positive rates', () => {
    expect(() => resample(new Float32Array(10), 0, 16000)).toThrow(/positive integers/);
    expect(() => resample(new Float32Array(10), 44100.5, 16000)).toThrow(/positive integers/);
  });

  it('decoding a 48 kHz WAV applies the same resampling', () => {
    const x = tone(12000, 48000, 1.5);
    const decoded = decodeAudioBytes(encodeWav([x], 48000, { kind: 'float', bits: 32 }), 'hf.wav');
    expect(decoded.samples.length).toBe(24000);
    expect(db(rmsMiddle(decoded.samples, 1600) / toneRms(0.5))).toBeLessThan(-60);
  });
});
