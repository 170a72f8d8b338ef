import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import {
  decodeAudioBytes,
  decodeAudioBytesAsync,
  decodeAudioFile,
} from '../../../src/engine/audio/decode.ts';
import { encodeWav, type WavSampleFormat } from '../../../src/engine/audio/wav-encode.ts';
import { logMelSpectrogram } from '../../../src/engine/features/logmel.ts';
import { GOLDEN_DIR, REAL_DATA_DIR } from '../../helpers/shared.ts';
import { bytesOf, fmtChunk, pcm16, riffWave, testSignal } from './wav-builder.ts';
import { encodeFlacVerbatim } from './flac-writer.ts';

const FORMATS: [WavSampleFormat, number][] = [
  // format, tolerance: half a quantisation step (float formats: float32 rounding of the input)
  [{ kind: 'pcm', bits: 8 }, 0.5 / 128],
  [{ kind: 'pcm', bits: 16 }, 0.5 / 32768],
  [{ kind: 'pcm', bits: 24 }, 0.5 / 2 ** 23],
  [{ kind: 'pcm', bits: 32 }, 1e-7],
  [{ kind: 'float', bits: 32 }, 0],
  [{ kind: 'float', bits: 64 }, 0],
];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('decodeAudioBytes: formats', () => {
  const left = testSignal(16000 + 123, 16000, 1);
  const right = testSignal(16000 + 123, 16000, 2).map((v) => -0.5 * v);
  const mean = left.map((v, i) => (v + right[i]!) / 2);

  for (const [format, tol] of FORMATS) {
    for (const extensible of [false, true]) {
      it(`${format.kind} ${format.bits}-bit${extensible ? ' extensible' : ''}: stereo is down-mixed by the mean`, () => {
        const decoded = decodeAudioBytes(encodeWav([left, right], 16000, format, { extensible }), 'x.wav');
        expect(decoded.sampleRateHz).toBe(16000);
        expect(decoded.source).toMatchObject({
          container: 'wav',
          channels: 2,
          sampleRateHz: 16000,
          bitsPerSample: format.bits,
          extensible,
          frames: left.length,
        });
        expect(decoded.warnings).toEqual([]);
        // 8-bit: both channels are quantised; the mean of two errors ≤ one step.
        expect(maxAbsDiff(decoded.samples, mean)).toBeLessThanOrEqual(tol + 1e-7);
      });
    }
  }

  it('8 channels (as MIMII raw files): mean of all channels', () => {
    const channels = Array.from({ length: 8 }, (_, c) =>
      testSignal(20000, 16000, c + 1).map((v) => v * (c + 1) * 0.1),
    );
    const decoded = decodeAudioBytes(
      encodeWav(channels, 16000, { kind: 'pcm', bits: 16 }, { extensible: true }),
      'eight.wav',
    );
    const expected = new Float32Array(20000).map(
      (_, i) => channels.reduce((s, ch) => s + Math.round(ch[i]! * 32768) / 32768, 0) / 8,
    );
    expect(decoded.source.channels).toBe(8);
    expect(maxAbsDiff(decoded.samples, expected)).toBeLessThan(1e-7);
  });

  it('8-bit PCM is unsigned with offset 128', () => {
    const bytes = riffWave([
      fmtChunk({ formatTag: 1, channels: 1, sampleRateHz: 16000, bits: 8 }),
      { id: 'data', body: new Uint8Array(16000).map((_, i) => [0, 128, 255][i % 3]!) },
    ]);
    expect(Array.from(decodeAudioBytes(bytes, 'u8.wav').samples.subarray(0, 3))).toEqual([-1, 0, 127 / 128]);
  });

  it('24-bit valid bits in a 32-bit extensible container are read left-justified', () => {
    const x = testSignal(16000);
    const file = encodeWav([x], 16000, { kind: 'pcm', bits: 32 }, { extensible: true });
    new DataView(file.buffer).setUint16(12 + 8 + 18, 24, true); // wValidBitsPerSample
    const decoded = decodeAudioBytes(file, 'x.wav');
    expect(decoded.source.bitsPerSample).toBe(24);
    expect(maxAbsDiff(decoded.samples, x)).toBeLessThan(1e-7);
  });
});

describe('decodeAudioBytes: chunk layouts', () => {
  const x = testSignal(16001);
  const data = { id: 'data', body: pcm16([x]) };
  const fmt = fmtChunk({ formatTag: 1, channels: 1, sampleRateHz: 16000, bits: 16 });
  const expected = decodeAudioBytes(riffWave([fmt, data]), 'plain.wav').samples;
  const odd = { id: 'bext', body: new Uint8Array(7).fill(0x41) };
  const list = { id: 'LIST', body: bytesOf('INFOISFT\x05\x00\x00\x00test\x00') };
  const fact = { id: 'fact', body: Uint8Array.of(0x81, 0x3e, 0, 0) };
  const layouts: [string, Uint8Array][] = [
    ['LIST and bext before fmt', riffWave([list, odd, fmt, data])],
    ['fact between fmt and data, LIST after data', riffWave([fmt, fact, data, list])],
    ['odd-sized chunk with its pad byte', riffWave([fmt, odd, data])],
    ['odd-sized chunk without its pad byte', riffWave([fmt, odd, data], { omitPad: true })],
    [
      'odd-sized data chunk followed by LIST',
      riffWave([fmt, { id: 'data', body: pcm16([x]).subarray(0, 32001) }, list]),
    ],
  ];
  for (const [name, bytes] of layouts) {
    it(name, () => {
      const decoded = decodeAudioBytes(bytes, 'layout.wav');
      expect(decoded.samples.length).toBeGreaterThanOrEqual(16000);
      expect(maxAbsDiff(decoded.samples.subarray(0, 16000), expected.subarray(0, 16000))).toBe(0);
    });
  }

  it('a data chunk of unset size (streaming writer) is read to the end with a warning', () => {
    const decoded = decodeAudioBytes(riffWave([fmt, { ...data, declaredSize: 0xffffffff }]), 'stream.wav');
    expect(decoded.samples.length).toBe(16001);
    expect(decoded.warnings.join()).toMatch(/size is unset/);
  });
});

describe('decodeAudioBytes: resampling on decode', () => {
  it('a 48 kHz file comes out at 16 kHz with a third of the samples', () => {
    const x = testSignal(48000 * 2, 48000);
    const decoded = decodeAudioBytes(encodeWav([x], 48000, { kind: 'float', bits: 32 }), 'r.wav');
    expect(decoded.sampleRateHz).toBe(16000);
    expect(decoded.samples.length).toBe(32000);
    expect(decoded.durationS).toBeCloseTo(2, 6);
    expect(decoded.source.sampleRateHz).toBe(48000);
  });
});

describe('FLAC', () => {
  it('decodes 16-bit stereo FLAC to the same samples as the equivalent WAV', async () => {
    const l = testSignal(20000, 16000, 3);
    const r = testSignal(20000, 16000, 4);
    const toInt = (v: Float32Array) => Int32Array.from(v, (s) => Math.round(s * 32767));
    const [li, ri] = [toInt(l), toInt(r)];
    const flac = await decodeAudioBytesAsync(encodeFlacVerbatim([li, ri], 16000, 16), 'x.flac');
    const asFloat = (v: Int32Array) => Float32Array.from(v, (s) => s / 32768);
    const wav = decodeAudioBytes(
      encodeWav([asFloat(li), asFloat(ri)], 16000, { kind: 'pcm', bits: 16 }),
      'x.wav',
    );
    expect(flac.source).toMatchObject({
      container: 'flac',
      codec: 'flac',
      channels: 2,
      sampleRateHz: 16000,
      bitsPerSample: 16,
      frames: 20000,
    });
    expect(maxAbsDiff(flac.samples, wav.samples)).toBeLessThan(1e-7);
  });

  it('24-bit FLAC at 32 kHz is scaled like PCM and resampled', async () => {
    const x = Int32Array.from(testSignal(32000, 32000, 5), (s) => Math.round(s * 2 ** 23));
    const decoded = await decodeAudioBytesAsync(encodeFlacVerbatim([x], 32000, 24), 'x.flac');
    expect(decoded.source.bitsPerSample).toBe(24);
    expect(decoded.samples.length).toBe(16000);
  });

  it('the synchronous decoder points to the async one for FLAC', () => {
    const bytes = encodeFlacVerbatim([new Int32Array(16000)], 16000, 16);
    expect(() => decodeAudioBytes(bytes, 'x.flac')).toThrow(
      /x\.flac: is a FLAC file: decode it with decodeAudioFile/,
    );
  });
});

function wavFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? wavFilesUnder(p) : e.name.endsWith('.wav') ? [p] : [];
  });
}

describe('real recordings', () => {
  const files = wavFilesUnder(REAL_DATA_DIR);

  it('the shared folder holds the expected recordings', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
    expect(files.some((f) => f.includes('mimii-8ch'))).toBe(true);
  });

  it('every real recording decodes (8-channel MIMII included) and has finite log-Mel features', async () => {
    let eightChannel = 0;
    for (const file of files) {
      const decoded = await decodeAudioFile(file);
      expect(decoded.warnings, file).toEqual([]);
      expect(decoded.durationS, file).toBeGreaterThan(1);
      if (decoded.source.channels === 8) {
        eightChannel++;
        expect(decoded.source.extensible).toBe(true);
      }
      const { data, frames } = logMelSpectrogram(decoded.samples);
      expect(frames).toBe(1 + Math.floor(decoded.samples.length / 512));
      expect(data.every(Number.isFinite), file).toBe(true);
    }
    expect(eightChannel).toBeGreaterThan(0);
  });

  it('golden WAVs decode with the format their description states', async () => {
    const sweep = await decodeAudioFile(path.join(GOLDEN_DIR, 'audio', 'sweep_float32.wav'));
    expect(sweep.source).toMatchObject({ codec: 'pcm_f32le', channels: 1, bitsPerSample: 32 });
    const long = await decodeAudioFile(path.join(GOLDEN_DIR, 'audio', 'long12_pcm24.wav'));
    expect(long.source).toMatchObject({ codec: 'pcm_s24le', bitsPerSample: 24, durationS: 12 });
  });
});
