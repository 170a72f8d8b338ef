import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FeatureCache, sha256Hex } from '../../../src/engine/features/cache.ts';
import { decodeAudioFile } from '../../../src/engine/audio/decode.ts';
import { encodeWav } from '../../../src/engine/audio/wav-encode.ts';
import { FEATURE_PARAMS, N_MELS, WINDOW_FRAMES } from '../../../src/engine/features/params.ts';
import { recordingFeatures } from '../../../src/engine/features/recording.ts';
import { extractionWorkerUrl, type ExtractProgress } from '../../../src/engine/features/extract-pool.ts';
import { GOLDEN_DIR, REAL_DATA_DIR } from '../../helpers/shared.ts';

let dir: string;
let audioDir: string;
const mono16 = path.join(GOLDEN_DIR, 'audio', 'mono16.wav');
const mimii = path.join(REAL_DATA_DIR, 'mimii-8ch', 'fan_id_00', 'normal_00000007.wav');

function tone(seconds: number, frequencyHz: number): Float32Array {
  return Float32Array.from(
    { length: seconds * 16000 },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * frequencyHz * i) / 16000),
  );
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-cache-'));
  audioDir = path.join(dir, 'audio');
  fs.mkdirSync(audioDir);
  fs.writeFileSync(
    path.join(audioDir, 'long40s.wav'),
    encodeWav([tone(40, 700)], 16000, { kind: 'pcm', bits: 16 }),
  );
  fs.writeFileSync(
    path.join(audioDir, 'short.wav'),
    encodeWav([tone(0.5, 700)], 16000, { kind: 'pcm', bits: 16 }),
  );
  fs.copyFileSync(mono16, path.join(audioDir, 'copy-of-mono16.wav'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('FeatureCache', () => {
  it('stores a recording once, keyed by content hash under the feature-parameter id', async () => {
    const cache = new FeatureCache(path.join(dir, 'c1'));
    const rec = await cache.ensureFile(mono16);
    expect(rec.key).toBe(sha256Hex(fs.readFileSync(mono16)));
    expect(rec.paramsId).toBe(FEATURE_PARAMS.id);
    expect(rec).toMatchObject({
      frames: 313,
      windowCount: 1,
      windowStartFrames: [0],
      windowStartsS: [0],
      durationS: 10,
    });
    const file = cache.pathOf(rec.key);
    expect(file).toContain(path.join(FEATURE_PARAMS.id, rec.key.slice(0, 2)));
    const mtime = fs.statSync(file).mtimeMs;
    // Same content under another name: no recomputation, no rewrite.
    const again = await cache.ensureFile(path.join(audioDir, 'copy-of-mono16.wav'));
    expect(again).toEqual(rec);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    // A fresh cache object over the same folder reads the entry back from disk.
    expect(new FeatureCache(path.join(dir, 'c1')).get(rec.key)).toEqual(rec);
  });

  it('readWindow returns exactly the computed un-normalised window', async () => {
    const cache = new FeatureCache(path.join(dir, 'c2'));
    const rec = await cache.ensureFile(mimii);
    const expected = recordingFeatures(await decodeAudioFile(mimii)).windows[0]!.data;
    const window = cache.readWindow(rec.key, 0);
    expect(window.length).toBe(WINDOW_FRAMES * N_MELS);
    expect(window).toEqual(expected);
    expect(rec.source.channels).toBe(8);
    expect(() => cache.readWindow(rec.key, 1)).toThrow(/window 1 out of range/);
    expect(() => cache.readWindow('0'.repeat(64), 0)).toThrow(/no cached features/);
  });

  it('long recordings store every overlapping window with its start time', async () => {
    const cache = new FeatureCache(path.join(dir, 'c3'));
    const rec = await cache.ensureFile(path.join(audioDir, 'long40s.wav'));
    expect(rec.frames).toBe(1251);
    expect(rec.windowStartFrames).toEqual([0, 156, 312, 468, 624, 780, 938]);
    expect(rec.windowStartsS.at(-1)).toBeCloseTo((938 * 512) / 16000, 9);
    const windows = cache.readWindows(rec.key);
    expect(windows).toHaveLength(7);
    // Overlap: window 1 starts where window 0's frame 156 is.
    expect(windows[1]!.subarray(0, N_MELS)).toEqual(windows[0]!.subarray(156 * N_MELS, 157 * N_MELS));
    expect(fs.statSync(cache.pathOf(rec.key)).size).toBeGreaterThan(7 * WINDOW_FRAMES * N_MELS * 4);
  });

  it('a damaged entry is recomputed, not trusted', async () => {
    const cache = new FeatureCache(path.join(dir, 'c4'));
    const rec = await cache.ensureFile(mono16);
    const file = cache.pathOf(rec.key);
    fs.truncateSync(file, 5000);
    const fresh = new FeatureCache(path.join(dir, 'c4'));
    expect(fresh.get(rec.key)).toBeUndefined();
    await fresh.ensureFile(mono16);
    expect(fresh.readWindow(rec.key, 0)).toEqual(cache.readWindow(rec.key, 0));
  });

  it('keeps working after its folder was deleted (cache cleared by the user)', async () => {
    const cacheDir = path.join(dir, 'c7');
    const cache = new FeatureCache(cacheDir);
    const rec = await cache.ensureFile(mono16);
    fs.rmSync(cacheDir, { recursive: true });
    expect(() => cache.readWindow(rec.key, 0)).toThrow(/cannot be read \(ENOENT\); was the cache cleared\?/);
    expect(cache.get(rec.key)).toBeUndefined();
    const again = await new FeatureCache(cacheDir).ensureFile(mono16);
    expect(again.key).toBe(rec.key);
    await cache.ensureFile(path.join(audioDir, 'long40s.wav'));
    expect(fs.existsSync(cache.pathOf(rec.key))).toBe(true);
  });

  it('extracts many files over worker threads, reporting progress and per-file errors', async () => {
    const cache = new FeatureCache(path.join(dir, 'c5'));
    const files = [
      mono16,
      mimii,
      path.join(audioDir, 'long40s.wav'),
      path.join(audioDir, 'short.wav'),
      path.join(audioDir, 'missing.wav'),
    ];
    expect(extractionWorkerUrl()?.pathname).toMatch(/extract-worker\.ts$/); // really in workers, not inline
    const progress: ExtractProgress[] = [];
    const outcomes = await cache.extractFiles(files, { threads: 2, onProgress: (p) => progress.push(p) });
    expect(outcomes.map((o) => o.file)).toEqual(files);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, false]);
    const [a, , long, short, missing] = outcomes;
    expect(short!.ok === false && short!.error).toMatch(/short\.wav: the recording is 0\.500 s long/);
    expect(missing!.ok === false && missing!.error).toMatch(/missing\.wav: no such file/);
    expect(long!.ok && long!.recording.windowCount).toBe(7);
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5]);
    expect(progress.at(-1)).toMatchObject({ total: 5, failed: 2 });
    // Written by the workers, readable here, same values as computed in this thread.
    if (!a!.ok) throw new Error('mono16 failed');
    const inline = recordingFeatures(await decodeAudioFile(mono16)).windows[0]!.data;
    expect(cache.readWindow(a!.recording.key, 0)).toEqual(inline);
  });

  it('extraction can be cancelled with an AbortSignal', async () => {
    const cache = new FeatureCache(path.join(dir, 'c6'));
    const controller = new AbortController();
    const files = Array.from({ length: 20 }, () => mimii);
    const run = cache.extractFiles(files, {
      threads: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 1) controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
    const aborted = new AbortController();
    aborted.abort();
    await expect(cache.extractFiles([mono16], { signal: aborted.signal })).rejects.toThrow();
  });
});
