import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { decodeAudioFile } from '../../../src/engine/audio/decode.ts';
import { RealFft } from '../../../src/engine/features/fft.ts';
import { logMelSpectrogram, symmetricHann } from '../../../src/engine/features/logmel.ts';
import {
  denseFilterbank,
  hzToMelSlaney,
  melToHzSlaney,
  slaneyMelFilterbank,
} from '../../../src/engine/features/mel.ts';
import { N_MELS, WINDOW_FRAMES, frameCountOf } from '../../../src/engine/features/params.ts';
import { GOLDEN_DIR } from '../../helpers/shared.ts';

interface GoldenFile {
  audio: string;
  logmel: string;
  shape: [number, number];
  mean: number;
  first_frame_first_8: number[];
}
const golden = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, 'logmel.json'), 'utf8')) as {
  tolerance_db: number;
  filterbank_file: string;
  files: GoldenFile[];
};

function readF32(file: string): Float32Array {
  const buf = fs.readFileSync(path.join(GOLDEN_DIR, file));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

describe('log-Mel against the golden vectors (numpy / librosa)', () => {
  it('has five golden files at 1e-3 dB tolerance', () => {
    expect(golden.files).toHaveLength(5);
    expect(golden.tolerance_db).toBe(0.001);
  });

  for (const g of golden.files) {
    it(`${g.audio}: every value within ${golden.tolerance_db} dB`, async () => {
      const audio = await decodeAudioFile(path.join(GOLDEN_DIR, g.audio));
      const { data, frames } = logMelSpectrogram(audio.samples);
      expect(frames).toBe(frameCountOf(audio.samples.length));
      const expected = readF32(g.logmel);
      expect(expected.length).toBe(g.shape[0] * g.shape[1]);
      // The golden matrices are the last 313 frames.
      const last = data.subarray((frames - WINDOW_FRAMES) * N_MELS);
      let maxDiff = 0;
      for (let i = 0; i < expected.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(last[i]! - expected[i]!));
      expect(maxDiff).toBeLessThanOrEqual(golden.tolerance_db);
      expect(Array.from(last.subarray(0, 8), (v) => Math.round(v * 1e4) / 1e4)).toEqual(
        g.first_frame_first_8.map((v) => expect.closeTo(v, 3)),
      );
      expect(last.reduce((s, v) => s + v, 0) / last.length).toBeCloseTo(g.mean, 3);
    });
  }

  it('12 s clip has 376 frames', async () => {
    const audio = await decodeAudioFile(path.join(GOLDEN_DIR, 'audio', 'long12_pcm24.wav'));
    expect(logMelSpectrogram(audio.samples).frames).toBe(376);
  });
});

describe('mel filterbank', () => {
  it('matches mel_filterbank_128x513.f32 (librosa, Slaney)', () => {
    const expected = readF32(golden.filterbank_file);
    const dense = denseFilterbank(slaneyMelFilterbank());
    expect(dense.length).toBe(128 * 513);
    for (let i = 0; i < dense.length; i++) {
      if (Math.abs(dense[i]! - expected[i]!) > 1e-7 * Math.max(1, Math.abs(expected[i]!) * 1e3)) {
        throw new Error(
          `filterbank value ${i} (band ${Math.floor(i / 513)}, bin ${i % 513}): ${dense[i]} vs ${expected[i]}`,
        );
      }
    }
  });

  it('Slaney mel scale is linear below 1 kHz and logarithmic above, and invertible', () => {
    expect(hzToMelSlaney(1000)).toBeCloseTo(15, 12);
    expect(hzToMelSlaney(500)).toBeCloseTo(7.5, 12);
    for (const hz of [0, 300, 999, 1000, 4000, 8000])
      expect(melToHzSlaney(hzToMelSlaney(hz))).toBeCloseTo(hz, 8);
  });
});

describe('RealFft', () => {
  it('power spectrum equals a direct DFT', () => {
    const n = 1024;
    const x = Float64Array.from(
      { length: n },
      (_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 1.91) + ((i * 7919) % 13) / 13 - 0.5,
    );
    const power = new Float64Array(n / 2 + 1);
    new RealFft(n).powerSpectrum(x, power);
    for (const k of [0, 1, 2, 59, 60, 255, 256, 300, 511, 512]) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < n; t++) {
        re += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
        im -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
      }
      expect(power[k]).toBeCloseTo(re * re + im * im, 8);
    }
  });

  it('works for every power-of-two size (odd and even numbers of stages)', () => {
    for (const n of [8, 16, 32, 64, 128, 256, 512, 2048]) {
      const x = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * 3 * i) / n));
      const power = new Float64Array(n / 2 + 1);
      new RealFft(n).powerSpectrum(x, power);
      power.forEach((p, k) => expect(p).toBeCloseTo(k === 3 ? (n / 2) ** 2 : 0, 6));
    }
    expect(() => new RealFft(1000)).toThrow(/power of two/);
  });
});

describe('logMelSpectrogram', () => {
  it('uses the symmetric Hann window (numpy.hanning)', () => {
    const w = symmetricHann(1024);
    expect(w[0]).toBe(0);
    expect(w[1023]).toBeCloseTo(0, 15);
    expect(w[511]).toBeCloseTo(w[512]!, 15);
  });

  it('frame count is 1 + ⌊len/512⌋ (centred frames, reflect padding) for any length', () => {
    for (const len of [1, 2, 511, 512, 513, 16000, 160000]) {
      const x = Float32Array.from({ length: len }, (_, i) => Math.sin(i));
      const { frames, data } = logMelSpectrogram(x);
      expect(frames).toBe(1 + Math.floor(len / 512));
      expect(data.length).toBe(frames * 128);
      expect(data.every(Number.isFinite)).toBe(true);
    }
  });

  it('silence is the 1e-10 floor: -100 dB', () => {
    const { data } = logMelSpectrogram(new Float32Array(16000));
    expect(data.every((v) => v === -100)).toBe(true);
  });

  it('a 1 kHz tone peaks in the band containing 1 kHz', () => {
    const x = Float32Array.from({ length: 16000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const { data } = logMelSpectrogram(x);
    const row = data.subarray(10 * 128, 11 * 128);
    const peak = row.indexOf(Math.max(...row));
    const fb = slaneyMelFilterbank();
    const peakBin = 1000 / (16000 / 1024); // 64
    expect(fb.firstBin[peak]!).toBeLessThanOrEqual(peakBin);
    expect(fb.firstBin[peak]! + fb.offsets[peak + 1]! - fb.offsets[peak]!).toBeGreaterThan(peakBin);
  });

  it('rejects an empty signal', () => {
    expect(() => logMelSpectrogram(new Float32Array(0))).toThrow(/empty/);
  });
});
