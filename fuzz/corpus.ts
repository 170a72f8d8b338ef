/**
 * The seed corpus: the golden clips and a spread of the real MIMII/ToyADMOS clips (cut to 1.05 s so
 * each input decodes in milliseconds), WAV variants the decoder must handle (24-bit, float,
 * extensible, odd chunks), FLAC streams in several shapes, and the regression inputs of earlier
 * findings (`fuzz/regressions/`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudioBytes } from '../src/engine/audio/decode.ts';
import { encodeWav } from '../src/engine/audio/wav-encode.ts';
import { encodeFlacSilence, encodeFlacVerbatim } from '../tests/engine/audio/flac-writer.ts';
import { fmtChunk, riffWave } from '../tests/engine/audio/wav-builder.ts';
import { parseWav } from '../src/engine/audio/wav.ts';

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_DIR = path.resolve(REPO_DIR, '../shared');
export const REGRESSIONS_DIR = path.join(REPO_DIR, 'fuzz', 'regressions');
const SEED_S = 1.05;

/** The first SEED_S seconds of a WAV file: its header as it is (extensible, extra chunks), sizes fixed. */
function cutWav(file: string): Uint8Array {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const wav = parseWav(bytes, file);
  const { sampleRateHz, blockAlign } = wav.format;
  const frames = Math.min(wav.frameCount, Math.round(SEED_S * sampleRateHz));
  const dataBytes = frames * blockAlign;
  const out = bytes.slice(0, wav.dataOffset + dataBytes);
  const view = new DataView(out.buffer);
  view.setUint32(wav.dataOffset - 4, dataBytes, true);
  view.setUint32(4, out.length - 8, true);
  return out;
}

function tone(n: number, rateHz: number, freqHz: number, amp = 0.4): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freqHz * i) / rateHz));
}

function toInt(x: Float32Array, bits: number): Int32Array {
  const full = 2 ** (bits - 1) - 1;
  return Int32Array.from(x, (v) => Math.round(v * full));
}

export function buildCorpus(): Seed[] {
  const seeds: Seed[] = [];
  const golden = path.join(SHARED_DIR, 'golden', 'audio');
  for (const f of fs.existsSync(golden) ? fs.readdirSync(golden).sort() : [])
    if (f.endsWith('.wav')) seeds.push({ name: `golden/${f}`, bytes: cutWav(path.join(golden, f)) });
  const real = path.join(SHARED_DIR, 'data', 'real');
  for (const group of ['mimii-8ch', 'dcase-mono']) {
    const dir = path.join(real, group);
    if (!fs.existsSync(dir)) continue;
    for (const machine of fs.readdirSync(dir).sort()) {
      const files = fs
        .readdirSync(path.join(dir, machine))
        .filter((f) => f.endsWith('.wav'))
        .sort();
      // One normal and one anomalous clip per machine.
      for (const f of [files.find((x) => x.startsWith('normal')), files.find((x) => !x.startsWith('normal'))])
        if (f)
          seeds.push({ name: `real/${group}/${machine}/${f}`, bytes: cutWav(path.join(dir, machine, f)) });
    }
  }
  // 1.05 s: just above the shortest accepted recording, so each input decodes fast.
  const n = 16_800; // at 16 kHz
  seeds.push(
    { name: 'wav/pcm8-8k', bytes: encodeWav([tone(8400, 8000, 440)], 8000, { kind: 'pcm', bits: 8 }) },
    {
      name: 'wav/pcm24-44k1-stereo',
      bytes: encodeWav([tone(46_305, 44100, 440), tone(46_305, 44100, 660)], 44100, {
        kind: 'pcm',
        bits: 24,
      }),
    },
    {
      name: 'wav/float64-48k',
      bytes: encodeWav([tone(50_400, 48000, 1000)], 48000, { kind: 'float', bits: 64 }),
    },
    { name: 'wav/pcm32-16k', bytes: encodeWav([tone(n, 16000, 300)], 16000, { kind: 'pcm', bits: 32 }) },
    {
      name: 'wav/list-and-odd-chunk',
      bytes: riffWave([
        { id: 'LIST', body: new Uint8Array(13) },
        fmtChunk({ formatTag: 1, channels: 1, sampleRateHz: 16000, bits: 16 }),
        {
          id: 'data',
          body: new Uint8Array(
            encodeWav([tone(n, 16000, 500)], 16000, { kind: 'pcm', bits: 16 }).subarray(44),
          ),
        },
      ]),
    },
    { name: 'flac/mono16-16k', bytes: encodeFlacVerbatim([toInt(tone(n, 16000, 440), 16)], 16000, 16) },
    {
      name: 'flac/stereo24-44k1',
      bytes: encodeFlacVerbatim(
        [toInt(tone(46_305, 44100, 440), 24), toInt(tone(46_305, 44100, 880), 24)],
        44100,
        24,
        1152,
      ),
    },
    { name: 'flac/mono8-8k', bytes: encodeFlacVerbatim([toInt(tone(8400, 8000, 200), 8)], 8000, 8, 576) },
    { name: 'flac/silence-8ch', bytes: encodeFlacSilence(8, 16000, 2, 16000) },
  );
  if (fs.existsSync(REGRESSIONS_DIR))
    for (const f of fs.readdirSync(REGRESSIONS_DIR).sort())
      seeds.push({
        name: `regression/${f}`,
        bytes: new Uint8Array(fs.readFileSync(path.join(REGRESSIONS_DIR, f))),
      });
  // Every seed but the regressions must decode: otherwise mutations start from noise.
  for (const s of seeds)
    if (s.name.startsWith('wav/') || s.name.startsWith('golden/') || s.name.startsWith('real/'))
      decodeAudioBytes(s.bytes, s.name);
  return seeds;
}
