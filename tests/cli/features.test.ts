import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { encodeWav } from '../../src/engine/audio/wav-encode.ts';
import { GOLDEN_DIR, REAL_DATA_DIR, REPO_DIR } from '../helpers/shared.ts';
import { encodeFlacVerbatim } from '../engine/audio/flac-writer.ts';

const exec = promisify(execFile);
let dir: string;

/** Runs the real CLI (`node bin/auscult.mjs …`) and returns its exit code and output. */
async function auscult(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [path.join(REPO_DIR, 'bin', 'auscult.mjs'), ...args],
      { cwd: dir },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/**
 * The same CLI in this process (`main()` of src/cli/main.ts), for the cases that do not need a
 * fresh process: spawning costs seconds of start-up on a busy machine.
 */
async function auscultInProcess(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const out = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    const code = await main(['node', 'auscult', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.chdir(cwd);
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-cli-features-'));
  const tone = Float32Array.from(
    { length: 16000 * 20 },
    (_, i) => 0.2 * Math.sin((2 * Math.PI * 500 * i) / 16000),
  );
  fs.writeFileSync(
    path.join(dir, 'twenty-seconds-pcm24.wav'),
    encodeWav([tone], 16000, { kind: 'pcm', bits: 24 }),
  );
  const ulaw = encodeWav([tone.subarray(0, 16000)], 16000, { kind: 'pcm', bits: 8 });
  new DataView(ulaw.buffer).setUint16(20, 7, true); // format tag → µ-law
  fs.writeFileSync(path.join(dir, 'ulaw.wav'), ulaw);
  fs.writeFileSync(
    path.join(dir, 'short.wav'),
    encodeWav([tone.subarray(0, 4000)], 16000, { kind: 'pcm', bits: 16 }),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('auscult features', () => {
  it('writes the 313 × 128 log-Mel of a 10 s clip as float32 LE and prints the shape', async () => {
    const out = path.join(dir, 'mono16.f32');
    const r = await auscult('features', path.join(GOLDEN_DIR, 'audio', 'mono16.wav'), '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/shape 313 x 128/);
    const written = fs.readFileSync(out);
    expect(written.length).toBe(313 * 128 * 4);
    const golden = fs.readFileSync(path.join(GOLDEN_DIR, 'mono16.logmel.f32'));
    let maxDiff = 0;
    for (let i = 0; i < 313 * 128; i++)
      maxDiff = Math.max(maxDiff, Math.abs(written.readFloatLE(i * 4) - golden.readFloatLE(i * 4)));
    expect(maxDiff).toBeLessThanOrEqual(1e-3);
  });

  it('a long recording gives its overlapping windows one after another, with start times in --json', async () => {
    const out = path.join(dir, 'long.f32');
    const r = await auscultInProcess(
      'features',
      path.join(dir, 'twenty-seconds-pcm24.wav'),
      '--out',
      out,
      '--json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { shape: number[]; windows: number; windowStartsS: number[] };
    // 20 s = 626 frames: windows at 0, 156 and the end-aligned 313.
    expect(report).toMatchObject({ shape: [3 * 313, 128], windows: 3 });
    expect(report.windowStartsS).toEqual([0, 4.992, 10.016]);
    expect(fs.statSync(out).size).toBe(3 * 313 * 128 * 4);
  });

  it('refuses a clip shorter than 1 s with a clear message and exit code 1', async () => {
    const r = await auscultInProcess(
      'features',
      path.join(dir, 'short.wav'),
      '--out',
      path.join(dir, 'short.f32'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^auscult: .*short\.wav: the recording is 0\.250 s long; clips shorter than 1 s are refused/,
    );
    expect(fs.existsSync(path.join(dir, 'short.f32'))).toBe(false);
  });
});

describe('auscult features --cache', () => {
  it('caches a folder over worker threads from the real CLI and reports failed files', async () => {
    const cacheDir = path.join(dir, 'cache');
    const r = await auscult('features', dir, '--cache', cacheDir, '--threads', '2', '--json');
    expect(r.code).toBe(1); // short.wav and ulaw.wav fail, the others are cached
    const report = JSON.parse(r.stdout) as {
      outcomes: { file: string; ok: boolean; recording?: { windowCount: number } }[];
    };
    const byName = Object.fromEntries(report.outcomes.map((o) => [path.basename(o.file), o]));
    expect(byName['twenty-seconds-pcm24.wav']).toMatchObject({ ok: true, recording: { windowCount: 3 } });
    expect(byName['short.wav']!.ok).toBe(false);
    expect(byName['ulaw.wav']!.ok).toBe(false);
    expect(r.stderr).toMatch(/ulaw\.wav: unsupported codec: µ-law/);
  });

  it('needs --out or --cache', async () => {
    const r = await auscultInProcess('features', path.join(dir, 'short.wav'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--out <file\.f32> is required/);
  });
});

describe('auscult info', () => {
  it('prints format, channels, rate, bits and duration of an 8-channel MIMII file', async () => {
    const r = await auscult(
      'info',
      path.join(REAL_DATA_DIR, 'mimii-8ch', 'fan_id_00', 'normal_00000007.wav'),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/format\s+WAV, PCM signed integer \(WAVE_FORMAT_EXTENSIBLE\)/);
    expect(r.stdout).toMatch(/channels\s+8\n/);
    expect(r.stdout).toMatch(/rate\s+16000 Hz\n/);
    expect(r.stdout).toMatch(/bits\s+16\n/);
    expect(r.stdout).toMatch(/duration\s+10\.000 s/);
  });

  it('prints the clear error for an unsupported codec', async () => {
    const file = path.join(dir, 'ulaw.wav');
    const r = await auscultInProcess('info', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `auscult: ${file}: unsupported codec: µ-law (G.711) (format tag 0x0007); only PCM and IEEE-float WAV (or FLAC) can be read — convert it, e.g. \`ffmpeg -i in.wav -c:a pcm_s16le out.wav\`\n`,
    );
  });

  it('reads FLAC: info and features agree with the same audio as WAV', async () => {
    const samples = Int32Array.from({ length: 16000 * 3 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
    fs.writeFileSync(path.join(dir, 'three.flac'), encodeFlacVerbatim([samples, samples], 16000, 16));
    fs.writeFileSync(
      path.join(dir, 'three.wav'),
      encodeWav([Float32Array.from(samples, (v) => v / 32768)], 16000, { kind: 'pcm', bits: 16 }),
    );
    const info = await auscultInProcess('info', path.join(dir, 'three.flac'));
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(
      /format\s+FLAC \(flac\)\nchannels\s+2\nrate\s+16000 Hz\nbits\s+16\nduration\s+3\.000 s/,
    );
    expect((await auscultInProcess('features', 'three.flac', '--out', 'flac.f32')).code).toBe(0);
    expect((await auscultInProcess('features', 'three.wav', '--out', 'wav.f32')).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'flac.f32'))).toEqual(fs.readFileSync(path.join(dir, 'wav.f32')));
  });

  it('describes a short clip and says it is too short for features', async () => {
    const r = await auscultInProcess('info', path.join(dir, 'short.wav'), '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { durationS: number; warnings: string[] };
    expect(report.durationS).toBe(0.25);
    expect(report.warnings.join()).toMatch(/shorter than 1 s/);
  });
});
