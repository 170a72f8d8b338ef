/**
 * Issue 9, finding 8: the resampler's filter bank and the decoders' output are bounded whatever
 * the header says.
 */
import { describe, expect, it } from 'vitest';
import {
  AudioDecodeError,
  decodeAudioBytes,
  decodeAudioBytesAsync,
} from '../../../src/engine/audio/decode.ts';
import { MAX_BANK_TAPS, MAX_PHASES, resample, resampleRatio } from '../../../src/engine/audio/resample.ts';
import { encodeWav } from '../../../src/engine/audio/wav-encode.ts';
import { Random } from '../../../src/engine/datasets/prng.ts';
import { encodeFlacSilence } from './flac-writer.ts';

/** Taps per phase as resample.ts sizes them (64 zero crossings, cut-off 0.95 × the lower Nyquist). */
const tapsPerPhase = (up: number, down: number) => 2 * Math.ceil(64 / (0.95 * Math.min(1, up / down)));

describe('resampler bounds (finding 8)', () => {
  it('approximates 1,535,999 Hz → 16 kHz by a small ratio instead of 16,000 phases × 13,000 taps', () => {
    const r = resampleRatio(1_535_999, 16_000);
    expect(r).toMatchObject({ up: 1, down: 96 });
    expect(r.relativeError).toBeLessThan(1e-6);
    // And it is fast: 0.2 s of a 1 kHz tone at that rate resamples in well under the 9 s per
    // second of audio the exact 16,000-phase bank took, at the right level.
    const n = Math.round(1_535_999 * 0.2);
    const x = Float32Array.from(
      { length: n },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 1_535_999),
    );
    const t0 = performance.now();
    const y = resample(x, 1_535_999, 16_000);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(y.length).toBe(Math.ceil(n / 96));
    let sum = 0;
    for (let i = 800; i < y.length - 800; i++) sum += y[i]! ** 2;
    const rms = Math.sqrt(sum / (y.length - 1600));
    expect(Math.abs(20 * Math.log10(rms / (0.5 / Math.SQRT2)))).toBeLessThan(0.1);
  });

  it('keeps the common rates exact', () => {
    for (const rate of [8000, 11025, 22050, 32000, 44100, 48000, 96000, 192000, 384000])
      expect(resampleRatio(rate, 16000).relativeError, `${rate} Hz`).toBe(0);
  });

  it('stays within the phase and filter-bank bounds, with the stated error, for 5,000 random rates', () => {
    const random = new Random(9);
    for (let i = 0; i < 5000; i++) {
      const rate = 1000 + Math.floor(random.next() * 1_535_001);
      const r = resampleRatio(rate, 16000);
      expect(r.up).toBeLessThanOrEqual(MAX_PHASES);
      expect(r.up * tapsPerPhase(r.up, r.down)).toBeLessThanOrEqual(MAX_BANK_TAPS);
      expect(r.relativeError, `${rate} Hz`).toBeLessThanOrEqual(4.9e-4); // README: worst case 4.84e-4
    }
  });
});

describe('decoded length caps (finding 8)', () => {
  it('refuses a WAV longer than the duration cap before decoding it', () => {
    const wav = encodeWav([new Float32Array(3_601_000)], 1000, { kind: 'pcm', bits: 8 });
    expect(() => decodeAudioBytes(wav, 'long.wav')).toThrow(
      /long\.wav: the recording is 3601\.0 s long; recordings over 3600 s are not decoded/,
    );
    const short = encodeWav([new Float32Array(32_000)], 16000, { kind: 'pcm', bits: 16 });
    expect(() => decodeAudioBytes(short, 'x.wav', { maxDurationS: 1.5 })).toThrow(/over 1\.5 s/);
    expect(() => decodeAudioBytes(short, 'x.wav', { maxDecodedSamples: 1000 })).toThrow(
      /holds 32000 samples .* more than 1000 are not decoded/,
    );
  });

  it('refuses a FLAC decompression bomb (18 KB declaring 8 × 34 million samples) before allocating', async () => {
    const bomb = encodeFlacSilence(8, 48000, 520);
    expect(bomb.length).toBeLessThan(30_000);
    const before = process.memoryUsage().rss;
    const err = await decodeAudioBytesAsync(bomb, 'bomb.flac').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioDecodeError);
    expect((err as Error).message).toMatch(/bomb\.flac: the recording holds 272625600 samples \(8 channels/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
    // A small stream of the same shape decodes.
    const ok = await decodeAudioBytesAsync(encodeFlacSilence(2, 16000, 1, 32000), 'ok.flac');
    expect(ok.durationS).toBeCloseTo(2, 6);
  });
});
