import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeWav } from '../../../src/engine/audio/wav-encode.ts';
import type { Workspace } from '../../../src/app/workspace.ts';

/** A fresh temporary folder; removed by the returned cleanup function. */
export function tempDir(prefix = 'auscult-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a mono 16 kHz 16-bit WAV of `durationS` seconds: a tone at `freqHz` plus seeded noise. */
export function writeToneWav(
  file: string,
  opts: { durationS?: number; freqHz?: number; seed?: number; amplitude?: number } = {},
): void {
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

/** Resolves when the workspace has no queued or running job left (chained jobs included). */
export async function waitForIdle(
  jobs: { on(e: 'job', l: (j: { status: string }) => void): () => void },
  ws: { jobs: { list(q: { status: ('queued' | 'running')[] }): unknown[] } },
  timeoutMs = 240_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (ws.jobs.list({ status: ['queued', 'running'] }).length > 0) {
    if (Date.now() > deadline) throw new Error('jobs did not finish in time');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 500);
      const off = jobs.on('job', done);
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
}

/**
 * A tiny two-machine line: machine "fan/id_00" hums at 300 Hz, "pump/id_00" at 1200 Hz (normal
 * clips vary slightly in pitch); anomalous clips add a strong 3 kHz whine.
 */
export function writeTinyLine(
  root: string,
  opts: { trainPerMachine?: number; testPerMachine?: number } = {},
): void {
  const machines = [
    ['fan_id_00', 300],
    ['pump_id_00', 1200],
  ] as const;
  machines.forEach(([folder, f0], mi) => {
    for (let i = 0; i < (opts.trainPerMachine ?? 8); i++) {
      writeToneWav(path.join(root, 'train', folder, `normal_${i}.wav`), {
        freqHz: f0 * (1 + 0.01 * (i % 3)),
        seed: 100 * mi + i + 1,
      });
    }
    for (let i = 0; i < (opts.testPerMachine ?? 4); i++) {
      writeToneWav(path.join(root, 'test', folder, `normal_${i}.wav`), {
        freqHz: f0 * (1 + 0.01 * (i % 3)),
        seed: 100 * mi + 50 + i,
      });
      writeWhineWav(path.join(root, 'test', folder, `anomaly_${i}.wav`), f0, 100 * mi + 80 + i);
    }
  });
}

/** A 2-s clip of the machine's hum `f0` with a strong 3 kHz whine over it (an "anomaly"). */
export function writeWhineWav(file: string, f0: number, seed: number): void {
  const n = 2 * 16000;
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    x[i] =
      0.3 * Math.sin((2 * Math.PI * f0 * i) / 16000) +
      0.25 * Math.sin((2 * Math.PI * 3000 * i) / 16000) +
      0.05 * (s / 2 ** 32 - 0.5);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodeWav([x], 16000, { kind: 'pcm', bits: 16 }));
}

/**
 * Registers `file` (the 8-channel MIMII clip of the tests) as a referenced monitor recording of a
 * new machine fan/id_00 of `projectId`, with its real content hash, without an import job.
 */
export function registerMimiiRecording(ws: Workspace, projectId: number, file: string): number {
  const m = ws.machines.ensure(projectId, 'fan', 'id_00');
  return ws.recordings.insert({
    projectId,
    machineId: m.id,
    path: file,
    storage: 'referenced',
    originalPath: file,
    fileName: path.basename(file),
    contentHash: createHash('sha256').update(fs.readFileSync(file)).digest('hex'),
    format: { container: 'wav', codec: 'pcm_s16le', channels: 8, sampleRateHz: 16000, bitsPerSample: 16 },
    durationS: 10,
    role: 'monitor',
    label: 'unknown',
    source: 'import',
  }).id;
}
