/**
 * Feature cache: the windows of a recording are computed once and stored in a binary file keyed
 * by the SHA-256 of the file's bytes, in a folder per feature-parameter id:
 *   <dir>/<params id>/<hash[0:2]>/<hash>.feat
 * File layout (little-endian): "AUSCFEAT", u32 version, u32 header length H, H bytes of JSON
 * (CachedRecording without `key`), zero padding to a multiple of 4, then windowCount × 313 × 128
 * float32 (un-normalised log-Mel, dB). Reading one window is one positioned read.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { decodeAudioBytesAsync, readAudioFile, type AudioSourceInfo } from '../audio/decode.ts';
import { NormStatsAccumulator, normalizeInPlace, type NormStats } from './normalization.ts';
import { FEATURE_PARAMS, N_MELS, WINDOW_FRAMES, type FeatureParams } from './params.ts';
import { recordingFeatures } from './recording.ts';
import { frameStartS } from './windows.ts';
import { extractInParallel, type ExtractOptions, type ExtractOutcome } from './extract-pool.ts';

const MAGIC = 'AUSCFEAT';
const FORMAT_VERSION = 1;
const WINDOW_VALUES = WINDOW_FRAMES * N_MELS;
const WINDOW_BYTES = WINDOW_VALUES * 4;
const HEADER_CACHE_LIMIT = 8192;

export interface CachedRecording {
  /** Cache key of the recording: the SHA-256 of its file content (hex). */
  key: string;
  contentHash: string;
  paramsId: string;
  /** Frames of the whole recording's log-Mel. */
  frames: number;
  durationS: number;
  windowCount: number;
  windowStartFrames: number[];
  /** Start time of each window, seconds. */
  windowStartsS: number[];
  source: AudioSourceInfo;
  warnings: string[];
}

interface EntryLocation {
  recording: CachedRecording;
  dataOffset: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class FeatureCache {
  readonly dir: string;
  readonly params: FeatureParams;
  private readonly headers = new Map<string, EntryLocation>();
  /** Folders known to exist (at most 256: one per first hash byte). */
  private readonly createdFolders = new Set<string>();

  constructor(dir: string, params: FeatureParams = FEATURE_PARAMS) {
    if (params.id !== FEATURE_PARAMS.id)
      throw new Error(
        `FeatureCache: only the built-in feature parameters (${FEATURE_PARAMS.id}) can be computed`,
      );
    this.dir = path.resolve(dir);
    this.params = params;
  }

  pathOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key))
      throw new Error(`FeatureCache: "${key}" is not a cache key (a SHA-256 hex digest)`);
    return path.join(this.dir, this.params.id, key.slice(0, 2), `${key}.feat`);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The entry's metadata, or undefined when it is not cached (or unreadable, e.g. cut short). */
  get(key: string): CachedRecording | undefined {
    const known = this.headers.get(key);
    // An entry seen before may have been deleted since (cache cleared): check the file is there.
    if (known && !fs.existsSync(this.pathOf(key))) this.headers.delete(key);
    return this.locate(key)?.recording;
  }

  /** Cache the features of one file (computing them only if its content is not cached yet). */
  async ensureFile(filePath: string): Promise<CachedRecording> {
    const bytes = await readAudioFile(filePath);
    return this.ensureBytes(bytes, filePath);
  }

  /** Cache the features of a file's bytes; `fileName` is used in error messages. */
  async ensureBytes(bytes: Uint8Array, fileName: string): Promise<CachedRecording> {
    const key = sha256Hex(bytes);
    const cached = this.get(key);
    if (cached) return cached;
    const audio = await decodeAudioBytesAsync(bytes, fileName);
    const features = recordingFeatures(audio);
    const windowStartFrames = features.windows.map((w) => w.startFrame);
    const recording: CachedRecording = {
      key,
      contentHash: key,
      paramsId: this.params.id,
      frames: features.frames,
      durationS: audio.durationS,
      windowCount: features.windows.length,
      windowStartFrames,
      windowStartsS: windowStartFrames.map(frameStartS),
      source: audio.source,
      warnings: audio.warnings,
    };
    this.write(
      recording,
      features.windows.map((w) => w.data),
    );
    return recording;
  }

  /**
   * Cache many files over worker threads (one decode + log-Mel per file in a worker; only the
   * metadata comes back, so memory stays flat however many files there are). Files that cannot
   * be decoded are reported in their outcome, the others still processed.
   */
  extractFiles(files: readonly string[], options: ExtractOptions = {}): Promise<ExtractOutcome[]> {
    return extractInParallel(this.dir, files, options, (file) => this.ensureFile(file));
  }

  /** Window `index` of entry `key`: 313 × 128 un-normalised log-Mel (into `out` if given). */
  readWindow(key: string, index: number, out: Float32Array = new Float32Array(WINDOW_VALUES)): Float32Array {
    const loc = this.locate(key);
    if (!loc) throw new Error(`FeatureCache: no cached features for ${key} in ${this.dir}`);
    const { windowCount } = loc.recording;
    if (!Number.isInteger(index) || index < 0 || index >= windowCount)
      throw new Error(`FeatureCache: window ${index} out of range (entry ${key} has ${windowCount})`);
    if (out.length !== WINDOW_VALUES)
      throw new Error(`FeatureCache.readWindow: out must hold ${WINDOW_VALUES} values`);
    let fd: number;
    try {
      fd = fs.openSync(this.pathOf(key), 'r');
    } catch (e) {
      this.headers.delete(key);
      throw new Error(
        `FeatureCache: the entry of ${key} in ${this.dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); was the cache cleared?`,
      );
    }
    try {
      const target = new Uint8Array(out.buffer, out.byteOffset, WINDOW_BYTES);
      const read = fs.readSync(fd, target, 0, WINDOW_BYTES, loc.dataOffset + index * WINDOW_BYTES);
      if (read !== WINDOW_BYTES) throw new Error(`FeatureCache: entry ${key} is cut short (window ${index})`);
    } finally {
      fs.closeSync(fd);
    }
    return out;
  }

  /**
   * All windows of an entry, in time order: 313 × 128 log-Mel each, un-normalised (dB), or
   * normalised with `norm` when given — the one way a recording's cached windows reach a model or
   * a back-end.
   */
  readWindows(key: string, norm?: NormStats): Float32Array[] {
    const rec = this.get(key);
    if (!rec) throw new Error(`FeatureCache: no cached features for ${key} in ${this.dir}`);
    return Array.from({ length: rec.windowCount }, (_, i) => {
      const w = this.readWindow(key, i);
      return norm ? normalizeInPlace(w, norm) : w;
    });
  }

  /**
   * Normalisation statistics over every frame of every window of the given entries (one streaming
   * pass, no window kept in memory), in the order given.
   */
  normStats(recordings: readonly Pick<CachedRecording, 'key' | 'windowCount'>[]): NormStats {
    const acc = new NormStatsAccumulator();
    const buf = new Float32Array(WINDOW_VALUES);
    for (const r of recordings)
      for (let index = 0; index < r.windowCount; index++) acc.add(this.readWindow(r.key, index, buf));
    return acc.finish();
  }

  private write(recording: CachedRecording, windows: Float32Array[]): void {
    const { key: _key, ...stored } = recording;
    const json = Buffer.from(JSON.stringify(stored), 'utf8');
    const dataOffset = alignTo4(16 + json.length);
    const header = Buffer.alloc(dataOffset);
    header.write(MAGIC, 0, 'latin1');
    header.writeUInt32LE(FORMAT_VERSION, 8);
    header.writeUInt32LE(json.length, 12);
    json.copy(header, 16);
    const file = this.pathOf(recording.key);
    const folder = path.dirname(file);
    if (!this.createdFolders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      this.createdFolders.add(folder);
    }
    // Write beside and rename: readers (and a worker caching the same content) never see half a file.
    const tmp = `${file}.${process.pid}.${threadId}.tmp`;
    let fd: number;
    try {
      fd = fs.openSync(tmp, 'w');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      fs.mkdirSync(folder, { recursive: true }); // the folder was removed since we made it
      fd = fs.openSync(tmp, 'w');
    }
    try {
      fs.writeSync(fd, header);
      for (const w of windows) fs.writeSync(fd, new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    this.remember(recording.key, { recording, dataOffset });
  }

  private locate(key: string): EntryLocation | undefined {
    const known = this.headers.get(key);
    if (known) return known;
    const file = this.pathOf(key);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return undefined;
    }
    try {
      const fixed = Buffer.alloc(16);
      if (
        fs.readSync(fd, fixed, 0, 16, 0) !== 16 ||
        fixed.toString('latin1', 0, 8) !== MAGIC ||
        fixed.readUInt32LE(8) !== FORMAT_VERSION
      )
        return undefined;
      const jsonLength = fixed.readUInt32LE(12);
      const json = Buffer.alloc(jsonLength);
      if (fs.readSync(fd, json, 0, jsonLength, 16) !== jsonLength) return undefined;
      const stored = JSON.parse(json.toString('utf8')) as Omit<CachedRecording, 'key'>;
      if (stored.paramsId !== this.params.id || stored.contentHash !== key) return undefined;
      const dataOffset = alignTo4(16 + jsonLength);
      if (fs.fstatSync(fd).size !== dataOffset + stored.windowCount * WINDOW_BYTES) return undefined;
      const loc = { recording: { key, ...stored }, dataOffset };
      this.remember(key, loc);
      return loc;
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  private remember(key: string, loc: EntryLocation): void {
    if (this.headers.size >= HEADER_CACHE_LIMIT) this.headers.delete(this.headers.keys().next().value!);
    this.headers.set(key, loc);
  }
}

function alignTo4(n: number): number {
  return (n + 3) & ~3;
}
