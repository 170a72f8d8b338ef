/**
 * decode → 16 kHz mono: the first step of the one data path. WAV (see wav.ts) and FLAC (flac.ts)
 * are down-mixed by the mean of the channels and resampled to 16 kHz (resample.ts).
 */
import { promises as fs } from 'node:fs';
import { AudioDecodeError } from './errors.ts';
import { decodeFlacBytes } from './flac.ts';
import { checkDecodedLength, type DecodeLimits } from './limits.ts';
import { resample } from './resample.ts';
import { downmixWavToMono, parseWav, type WavFile } from './wav.ts';
import { MIN_DURATION_S, SAMPLE_RATE_HZ } from '../features/params.ts';

export { AudioDecodeError } from './errors.ts';

export interface AudioSourceInfo {
  container: 'wav' | 'flac';
  /** e.g. 'pcm_s16le', 'pcm_u8', 'pcm_f32le', 'flac'. */
  codec: string;
  /** WAVE_FORMAT_EXTENSIBLE header (WAV only). */
  extensible: boolean;
  channels: number;
  sampleRateHz: number;
  bitsPerSample: number;
  durationS: number;
  /** Sample frames in the file (per channel). */
  frames: number;
}

export interface DecodedAudio {
  /** 16 kHz mono, float (full scale ±1). */
  samples: Float32Array;
  sampleRateHz: typeof SAMPLE_RATE_HZ;
  durationS: number;
  source: AudioSourceInfo;
  /** Recoverable problems (truncated data chunk, …) the caller may want to show. */
  warnings: string[];
}

export interface DecodeOptions extends DecodeLimits {
  /** Shortest accepted recording; default 1 s (MIN_DURATION_S). `auscult info` passes 0. */
  minDurationS?: number;
  /** Largest file read into memory, bytes (default and most: 2 GiB − 1, Node's buffer limit). */
  maxFileBytes?: number;
}

/** Largest file read into memory (Node's buffer limit is 2 GiB). */
export const MAX_FILE_BYTES = 2 ** 31 - 1;

function wavCodec(wav: WavFile): string {
  const { kind, containerBytes } = wav.format;
  if (kind === 'float') return containerBytes === 4 ? 'pcm_f32le' : 'pcm_f64le';
  return containerBytes === 1 ? 'pcm_u8' : `pcm_s${containerBytes * 8}le`;
}

const isFlac = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x66 && bytes[1] === 0x4c && bytes[2] === 0x61 && bytes[3] === 0x43;

function finish(
  mono: Float32Array,
  source: AudioSourceInfo,
  warnings: string[],
  fileName: string,
  options: DecodeOptions,
): DecodedAudio {
  const minDurationS = options.minDurationS ?? MIN_DURATION_S;
  if (source.durationS < minDurationS) {
    // Enough decimals that the stated length is visibly below the limit (0.99998 s, not "1.000 s").
    const shown =
      Number(source.durationS.toFixed(3)) < minDurationS
        ? source.durationS.toFixed(3)
        : source.durationS.toFixed(6);
    throw new AudioDecodeError(
      fileName,
      `the recording is ${shown} s long; clips shorter than ${minDurationS} s are refused (too short for a log-Mel window)`,
    );
  }
  const samples =
    source.sampleRateHz === SAMPLE_RATE_HZ ? mono : resample(mono, source.sampleRateHz, SAMPLE_RATE_HZ);
  return {
    samples,
    sampleRateHz: SAMPLE_RATE_HZ,
    durationS: samples.length / SAMPLE_RATE_HZ,
    source,
    warnings,
  };
}

/** Decode the bytes of a WAV file (FLAC needs the async `decodeAudioBytesAsync`). */
export function decodeAudioBytes(
  bytes: Uint8Array,
  fileName: string,
  options: DecodeOptions = {},
): DecodedAudio {
  if (isFlac(bytes))
    throw new AudioDecodeError(
      fileName,
      'is a FLAC file: decode it with decodeAudioFile or decodeAudioBytesAsync',
    );
  const wav = parseWav(bytes, fileName);
  const { format, frameCount } = wav;
  checkDecodedLength(fileName, frameCount, format.channels, format.sampleRateHz, options);
  const mono = downmixWavToMono(bytes, wav, fileName);
  const source: AudioSourceInfo = {
    container: 'wav',
    codec: wavCodec(wav),
    extensible: format.extensible,
    channels: format.channels,
    sampleRateHz: format.sampleRateHz,
    bitsPerSample: format.bitsPerSample,
    durationS: frameCount / format.sampleRateHz,
    frames: frameCount,
  };
  return finish(mono, source, [...wav.warnings], fileName, options);
}

/** Decode the bytes of a WAV or FLAC file. */
export async function decodeAudioBytesAsync(
  bytes: Uint8Array,
  fileName: string,
  options: DecodeOptions = {},
): Promise<DecodedAudio> {
  if (!isFlac(bytes)) return decodeAudioBytes(bytes, fileName, options);
  const flac = await decodeFlacBytes(bytes, fileName, options);
  const channels = flac.channelData.length;
  // libFLAC's float output is scaled by 1/(2^(bits−1) − 1); rescale to 1/2^(bits−1) like WAV PCM.
  const fullScale = 2 ** (flac.bitsPerSample - 1);
  const scale = (fullScale - 1) / fullScale / channels;
  const sum = new Float64Array(flac.frameCount);
  for (const ch of flac.channelData) for (let i = 0; i < flac.frameCount; i++) sum[i]! += ch[i]!;
  const mono = new Float32Array(flac.frameCount);
  let check = 0;
  for (let i = 0; i < mono.length; i++) {
    mono[i] = sum[i]! * scale;
    check += sum[i]! * 0; // NaN/±Inf propagate through 0·x
  }
  if (!Number.isFinite(check))
    throw new AudioDecodeError(
      fileName,
      `the FLAC decoder returned non-finite samples (${flac.bitsPerSample}-bit FLAC is not decoded correctly by @wasm-audio-decoders/flac; 8, 16 and 24 bits work)`,
    );
  const source: AudioSourceInfo = {
    container: 'flac',
    codec: 'flac',
    extensible: false,
    channels,
    sampleRateHz: flac.sampleRateHz,
    bitsPerSample: flac.bitsPerSample,
    durationS: flac.frameCount / flac.sampleRateHz,
    frames: flac.frameCount,
  };
  return finish(mono, source, flac.warnings, fileName, options);
}

/** Read and decode a WAV or FLAC file; every failure is an AudioDecodeError naming the file. */
export async function decodeAudioFile(filePath: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  return decodeAudioBytesAsync(await readAudioFile(filePath, options.maxFileBytes), filePath, options);
}

/** The bytes of an audio file, with file-system problems turned into AudioDecodeError. */
export async function readAudioFile(filePath: string, maxBytes = MAX_FILE_BYTES): Promise<Uint8Array> {
  let size: number;
  try {
    const stat = await fs.stat(filePath);
    if (stat.isDirectory()) throw new AudioDecodeError(filePath, 'is a directory, not an audio file');
    size = stat.size;
  } catch (e) {
    if (e instanceof AudioDecodeError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new AudioDecodeError(
      filePath,
      err.code === 'ENOENT' ? 'no such file' : `cannot read the file (${err.code ?? err.message})`,
    );
  }
  if (size > maxBytes)
    throw new AudioDecodeError(
      filePath,
      `the file is ${formatBytes(size)}; files over ${formatBytes(maxBytes)} are not read, split the recording`,
    );
  try {
    const buf = await fs.readFile(filePath);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new AudioDecodeError(filePath, `cannot read the file (${err.code ?? err.message})`);
  }
}

/** "3.1 GiB", "512.0 MiB", "900 bytes": sizes in error messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}
