import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeWav } from '../../../src/engine/audio/wav-encode.ts';

/** A fresh temporary folder; removed by the returned cleanup function. */
export function tempDir(prefix = 'auscult-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a mono 16 kHz 16-bit WAV of `durationS` seconds: a tone at `freqHz` plus seeded noise. */
export function writeToneWav(file: string, opts: { durationS?: number; freqHz?: number; seed?: number; amplitude?: number } = {}): void {
  const n = Math.round((opts.durationS ?? 2) * 16000);
  const x = new Float32Array(n);
  let s = (opts.seed ?? 1) >>> 0 || 1;
  const a = opts.amplitude ?? 0.3;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0; // LCG: deterministic noise, distinct per seed
    x[i] = a * Math.sin((2 * Math.PI * (opts.freqHz ?? 440) * i) / 16000) + 0.05 * (s / 2 ** 32 - 0.5);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodeWav([x], 16000, { kind: 'pcm', bits: 16 }));
}
