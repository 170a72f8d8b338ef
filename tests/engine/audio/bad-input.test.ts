import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AudioDecodeError,
  decodeAudioBytes,
  decodeAudioBytesAsync,
  decodeAudioFile,
} from '../../../src/engine/audio/decode.ts';
import { encodeWav } from '../../../src/engine/audio/wav-encode.ts';
import { bytesOf, fmtChunk, pcm16, riffWave, testSignal } from './wav-builder.ts';

const oneSecond = pcm16([testSignal(16000)]);
const pcmFmt = fmtChunk({ formatTag: 1, channels: 1, sampleRateHz: 16000, bits: 16 });

/** The AudioDecodeError `fn` throws (fails the test if it throws anything else or nothing). */
function decodeError(fn: () => unknown): AudioDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AudioDecodeError);
    return e as AudioDecodeError;
  }
  throw new Error('expected an AudioDecodeError, nothing was thrown');
}

const cases: [string, Uint8Array, RegExp][] = [
  ['empty file', new Uint8Array(0), /the file is empty \(0 bytes\)/],
  ['text file', bytesOf('hello, this is not audio at all'), /not a WAV file: it does not start with "RIFF"/],
  ['a few bytes', bytesOf('RIF'), /too short for a WAV header/],
  [
    'RIFF but not WAVE',
    riffWave([pcmFmt, { id: 'data', body: oneSecond }], { form: 'AVI ' }),
    /RIFF form type \(bytes 8–11\) is not "WAVE"/,
  ],
  ['big-endian RIFX', Uint8Array.of(...bytesOf('RIFX'), 0, 0, 0, 4, ...bytesOf('WAVE')), /big-endian RIFX/],
  [
    'RF64',
    Uint8Array.of(...bytesOf('RF64'), 0xff, 0xff, 0xff, 0xff, ...bytesOf('WAVE')),
    /RF64 .* not supported/,
  ],
  ['MP3 with ID3 tag', Uint8Array.of(0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0, 0, 0), /MP3/],
  ['Ogg', Uint8Array.of(...bytesOf('OggS'), 0, 2, 0, 0, 0, 0, 0, 0), /Ogg/],
  ['header only, no chunks', riffWave([]), /no fmt chunk and no data chunk/],
  ['no data chunk', riffWave([pcmFmt, { id: 'LIST', body: new Uint8Array(10) }]), /no data chunk/],
  ['no fmt chunk', riffWave([{ id: 'data', body: oneSecond }]), /no fmt chunk/],
  [
    'fmt chunk too small',
    riffWave([
      { id: 'fmt ', body: new Uint8Array(10) },
      { id: 'data', body: oneSecond },
    ]),
    /fmt chunk is 10 bytes/,
  ],
  [
    'zero channels',
    riffWave([
      fmtChunk({ formatTag: 1, channels: 0, sampleRateHz: 16000, bits: 16, blockAlign: 2 }),
      { id: 'data', body: oneSecond },
    ]),
    /zero channels/,
  ],
  [
    'absurd channel count',
    riffWave([
      fmtChunk({ formatTag: 1, channels: 5000, sampleRateHz: 16000, bits: 8 }),
      { id: 'data', body: oneSecond },
    ]),
    /absurd header: 5000 channels/,
  ],
  [
    'sample rate 0',
    riffWave([
      fmtChunk({ formatTag: 1, channels: 1, sampleRateHz: 0, bits: 16 }),
      { id: 'data', body: oneSecond },
    ]),
    /absurd header: sample rate 0 Hz/,
  ],
  [
    'absurd sample rate',
    riffWave([
      fmtChunk({ formatTag: 1, channels: 1, sampleRateHz: 4_000_000_000, bits: 16 }),
      { id: 'data', body: oneSecond },
    ]),
    /absurd header: sample rate 4000000000 Hz/,
  ],
  [
    'block align mismatch',
    riffWave([
      fmtChunk({ formatTag: 1, channels: 2, sampleRateHz: 16000, bits: 16, blockAlign: 3 }),
      { id: 'data', body: oneSecond },
    ]),
    /block align 3 bytes does not match 2 channel\(s\) × 2 bytes/,
  ],
  [
    '0 bits per sample',
    riffWave([
      fmtChunk({ formatTag: 1, channels: 1, sampleRateHz: 16000, bits: 0, blockAlign: 2 }),
      { id: 'data', body: oneSecond },
    ]),
    /0 bits per sample/,
  ],
  [
    '48-bit PCM',
    riffWave([
      fmtChunk({ formatTag: 1, channels: 1, sampleRateHz: 16000, bits: 48 }),
      { id: 'data', body: oneSecond },
    ]),
    /unsupported PCM sample size: 48 bits/,
  ],
  [
    '16-bit float',
    riffWave([
      fmtChunk({ formatTag: 3, channels: 1, sampleRateHz: 16000, bits: 16 }),
      { id: 'data', body: oneSecond },
    ]),
    /unsupported IEEE-float sample size: 16 bits/,
  ],
  [
    'chunk larger than the file before the data',
    riffWave([
      pcmFmt,
      { id: 'LIST', body: new Uint8Array(4), declaredSize: 0x7fffffff },
      { id: 'data', body: oneSecond },
    ]),
    /absurd header: chunk "LIST" at byte 36 declares 2147483647 bytes/,
  ],
  [
    'garbage chunk header',
    riffWave([pcmFmt, { id: '\x00\x01\xfe\x80', body: new Uint8Array(4) }, { id: 'data', body: oneSecond }]),
    /corrupt chunk header at byte 36 \(not a chunk name\); no valid data chunk before it/,
  ],
  [
    'µ-law',
    riffWave([
      fmtChunk({ formatTag: 7, channels: 1, sampleRateHz: 8000, bits: 8 }),
      { id: 'data', body: oneSecond },
    ]),
    /unsupported codec: µ-law \(G\.711\) \(format tag 0x0007\)/,
  ],
  [
    'A-law',
    riffWave([
      fmtChunk({ formatTag: 6, channels: 1, sampleRateHz: 8000, bits: 8 }),
      { id: 'data', body: oneSecond },
    ]),
    /unsupported codec: A-law/,
  ],
  [
    'Microsoft ADPCM',
    riffWave([
      fmtChunk({ formatTag: 2, channels: 1, sampleRateHz: 16000, bits: 4, blockAlign: 256 }),
      { id: 'data', body: oneSecond },
    ]),
    /unsupported codec: Microsoft ADPCM \(format tag 0x0002\)/,
  ],
  [
    'IMA ADPCM',
    riffWave([
      fmtChunk({ formatTag: 0x11, channels: 1, sampleRateHz: 16000, bits: 4, blockAlign: 256 }),
      { id: 'data', body: oneSecond },
    ]),
    /unsupported codec: IMA ADPCM/,
  ],
  [
    'unknown codec',
    riffWave([
      fmtChunk({ formatTag: 0x1234, channels: 1, sampleRateHz: 16000, bits: 16 }),
      { id: 'data', body: oneSecond },
    ]),
    /unsupported codec: an unknown codec \(format tag 0x1234\)/,
  ],
  [
    'extensible with a foreign sub-format',
    (() => {
      const f = encodeWav([testSignal(16000)], 16000, { kind: 'pcm', bits: 16 }, { extensible: true });
      f[12 + 8 + 24 + 4] = 0x99; // corrupt the GUID tail
      return f;
    })(),
    /unknown sub-format GUID/,
  ],
  [
    'data chunk with no complete frame',
    riffWave([
      fmtChunk({ formatTag: 1, channels: 2, sampleRateHz: 16000, bits: 16 }),
      { id: 'data', body: new Uint8Array(3) },
    ]),
    /no complete sample frame/,
  ],
  [
    'shorter than 1 s',
    encodeWav([testSignal(8000)], 16000, { kind: 'pcm', bits: 16 }),
    /0\.500 s long; clips shorter than 1 s are refused/,
  ],
  [
    '1 s at 48 kHz less one frame',
    encodeWav([testSignal(47999, 48000)], 48000, { kind: 'pcm', bits: 16 }),
    /0\.999979 s long; clips shorter than 1 s are refused/,
  ],
  [
    'NaN in float data',
    (() => {
      const x = testSignal(16000);
      x[8000] = NaN;
      return encodeWav([x], 16000, { kind: 'float', bits: 32 });
    })(),
    /non-finite samples \(NaN or infinity\) in 1 frame\(s\), first at 0\.500 s/,
  ],
  [
    'infinity in 64-bit float data',
    (() => {
      const x = testSignal(16000);
      x[0] = Infinity;
      return encodeWav([x], 16000, { kind: 'float', bits: 64 });
    })(),
    /non-finite samples/,
  ],
];

describe('bad input gets a clear AudioDecodeError naming the file and the problem', () => {
  for (const [name, bytes, problem] of cases) {
    it(name, () => {
      const e = decodeError(() => decodeAudioBytes(bytes, `/data/${name}.wav`));
      expect(e.file).toBe(`/data/${name}.wav`);
      expect(e.problem).toMatch(problem);
      expect(e.message).toBe(`/data/${name}.wav: ${e.problem}`);
    });
  }
});

describe('recoverable problems decode with a warning', () => {
  it('truncated data chunk: decodes the frames present and says so', () => {
    const full = encodeWav([testSignal(32000)], 16000, { kind: 'pcm', bits: 16 });
    const cut = full.subarray(0, full.length - 10001); // also cuts a sample in half
    const decoded = decodeAudioBytes(cut, 'cut.wav');
    expect(decoded.samples.length).toBe(32000 - 5001);
    expect(decoded.warnings[0]).toMatch(
      /truncated: the data chunk declares 64000 bytes but only 53999 are present/,
    );
    expect(decoded.warnings[1]).toMatch(/incomplete sample frame/);
    // What was decoded is exactly the start of the full recording.
    const reference = decodeAudioBytes(full, 'full.wav').samples;
    expect(decoded.samples).toEqual(reference.subarray(0, decoded.samples.length));
  });

  it('a truncated file shorter than 1 s after truncation is refused', () => {
    const full = encodeWav([testSignal(32000)], 16000, { kind: 'pcm', bits: 16 });
    expect(decodeError(() => decodeAudioBytes(full.subarray(0, 20000), 'cut.wav')).problem).toMatch(
      /clips shorter than 1 s are refused/,
    );
  });

  it('a RIFF size field that ends before the data chunk: read on, with a warning', () => {
    const wav = encodeWav([testSignal(16000)], 16000, { kind: 'pcm', bits: 16 });
    new DataView(wav.buffer).setUint32(4, 30, true);
    const decoded = decodeAudioBytes(wav, 'riffsize.wav');
    expect(decoded.samples).toEqual(
      decodeAudioBytes(encodeWav([testSignal(16000)], 16000, { kind: 'pcm', bits: 16 }), 'ok.wav').samples,
    );
    expect(decoded.warnings).toEqual([
      'the RIFF size field (30 bytes) ends before the data chunk; read past it',
    ]);
  });

  it('bytes after the RIFF chunk are ignored with a warning', () => {
    const wav = encodeWav([testSignal(16000)], 16000, { kind: 'pcm', bits: 16 });
    const decoded = decodeAudioBytes(Uint8Array.of(...wav, ...bytesOf('ID3 tag junk')), 'tail.wav');
    expect(decoded.samples.length).toBe(16000);
    expect(decoded.warnings).toEqual(['12 bytes after the end of the RIFF chunk were ignored']);
  });
});

describe('files', () => {
  it('a missing file', async () => {
    await expect(decodeAudioFile('/no/such/recording.wav')).rejects.toThrow(
      '/no/such/recording.wav: no such file',
    );
  });

  it('a directory', async () => {
    await expect(decodeAudioFile(os.tmpdir())).rejects.toThrow(/is a directory/);
  });

  it('an empty file on disk names the path', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-bad-')), 'empty.wav');
    fs.writeFileSync(file, new Uint8Array(0));
    try {
      await expect(decodeAudioFile(file)).rejects.toThrow(`${file}: the file is empty (0 bytes)`);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true });
    }
  });

  it('corrupt FLAC', async () => {
    const bytes = Uint8Array.of(...bytesOf('fLaC'), 0x80, 0, 0, 34, ...new Uint8Array(40).fill(0x5a));
    const e = await decodeAudioBytesAsync(bytes, 'broken.flac').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AudioDecodeError);
    expect((e as AudioDecodeError).message).toMatch(/^broken\.flac: /);
  });
});
