/**
 * Strict RIFF/WAVE reader: PCM 8/16/24/32-bit (and left-justified odd widths such as 12-in-16 or
 * 24-in-32), IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE, any channel count, chunks in any order
 * (LIST, fact, bext, cue, … are skipped), odd-sized chunks with or without their pad byte.
 * Problems either throw AudioDecodeError (nothing sensible can be read) or are recorded as
 * warnings (the audio is still sound: truncated data chunk, unset streaming sizes, trailing bytes).
 */
import { AudioDecodeError } from './errors.ts';
import {
  EXTENSIBLE_GUID_TAIL,
  WAVE_FORMAT_EXTENSIBLE,
  WAVE_FORMAT_IEEE_FLOAT,
  WAVE_FORMAT_PCM,
} from './wav-encode.ts';

/** Limits beyond which a header field is treated as corrupt rather than as an exotic file. */
const MAX_CHANNELS = 1024;
const MIN_SAMPLE_RATE_HZ = 1000;
const MAX_SAMPLE_RATE_HZ = 1_536_000;

/** Codecs recognised by name so the error can say what the file is. */
const KNOWN_UNSUPPORTED_CODECS: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law (G.711)',
  0x0007: 'µ-law (G.711)',
  0x0011: 'IMA ADPCM',
  0x0016: 'ITU G.723 ADPCM',
  0x0031: 'GSM 6.10',
  0x0040: 'ITU G.721 ADPCM',
  0x0050: 'MPEG audio',
  0x0055: 'MP3',
  0x00ff: 'AAC',
  0x0161: 'Windows Media Audio',
  0x1610: 'HE-AAC',
  0xf1ac: 'FLAC in WAV',
};

export interface WavFormat {
  formatTag: number;
  extensible: boolean;
  /** 'pcm' (integer) or 'float'. */
  kind: 'pcm' | 'float';
  channels: number;
  sampleRateHz: number;
  /** Bytes one sample occupies in the file (the container). */
  containerBytes: number;
  /** Significant bits (wValidBitsPerSample of extensible files, else wBitsPerSample). */
  bitsPerSample: number;
  blockAlign: number;
}

export interface WavFile {
  format: WavFormat;
  /** Byte offset of the first sample in the file and the number of whole frames present. */
  dataOffset: number;
  frameCount: number;
  warnings: string[];
}

/** Chunk ids named in messages; any other is "a chunk" (messages never echo file content). */
const KNOWN_CHUNKS = new Set([
  'fmt ',
  'data',
  'LIST',
  'fact',
  'bext',
  'cue ',
  'JUNK',
  'PAD ',
  'iXML',
  'smpl',
  'inst',
  'id3 ',
  'ID3 ',
  'PEAK',
  'cart',
  'acid',
]);
const chunkName = (id: string | undefined): string =>
  id && KNOWN_CHUNKS.has(id) ? `chunk "${id}"` : 'a chunk';

const isChunkIdByte = (b: number): boolean => b >= 0x20 && b <= 0x7e;

function chunkIdAt(bytes: Uint8Array, pos: number): string | undefined {
  if (pos + 4 > bytes.length) return undefined;
  for (let i = 0; i < 4; i++) if (!isChunkIdByte(bytes[pos + i]!)) return undefined;
  return String.fromCharCode(bytes[pos]!, bytes[pos + 1]!, bytes[pos + 2]!, bytes[pos + 3]!);
}

/** What a file that is not RIFF/WAVE most likely is, for the error message. */
function recogniseOtherContainer(bytes: Uint8Array): string | undefined {
  const id = chunkIdAt(bytes, 0);
  if (id === 'RIFX') return 'is a big-endian RIFX file; only little-endian RIFF WAV is supported';
  if (id === 'RF64' || id === 'BW64')
    return `is an ${id} (WAV over 4 GiB) file, which is not supported; split the recording`;
  if (id === 'fLaC') return 'is a FLAC file';
  if (id === 'OggS')
    return 'is an Ogg file (Vorbis/Opus/FLAC in Ogg), which is not supported; convert it to WAV or FLAC';
  if (id === 'FORM') return 'is an AIFF file, which is not supported; convert it to WAV';
  if (bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33)
    return 'is an MP3 file (ID3 tag), which is not supported; convert it to WAV';
  if (bytes[0] === 0xff && bytes.length > 1 && (bytes[1]! & 0xe0) === 0xe0)
    return 'looks like MPEG audio (MP3/AAC), which is not supported; convert it to WAV';
  return undefined;
}

/** Parse the header of a RIFF/WAVE file; the sample data is read by `downmixWavToMono`. */
export function parseWav(bytes: Uint8Array, fileName: string): WavFile {
  const fail = (problem: string): never => {
    throw new AudioDecodeError(fileName, problem);
  };
  if (bytes.length === 0) fail('the file is empty (0 bytes)');
  const other = recogniseOtherContainer(bytes);
  if (other) fail(`not a WAV file: it ${other}`);
  if (bytes.length < 12) fail(`the file is only ${bytes.length} bytes, too short for a WAV header`);
  if (chunkIdAt(bytes, 0) !== 'RIFF')
    fail('not a WAV file: it does not start with "RIFF" (nor is it FLAC, MP3, Ogg or AIFF)');
  if (chunkIdAt(bytes, 8) !== 'WAVE') fail('not a WAV file: the RIFF form type (bytes 8–11) is not "WAVE"');

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const warnings: string[] = [];
  const riffSize = view.getUint32(4, true);
  let end = riffSize !== 0 && riffSize !== 0xffffffff ? Math.min(bytes.length, riffSize + 8) : bytes.length;

  let format: WavFormat | undefined;
  let data: { offset: number; size: number } | undefined;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    if (pos + 8 > end) {
      if (format && data) {
        // Bytes after the RIFF chunk (tags appended by tools, a second RIFF): ignore them.
        warnings.push(`${bytes.length - end} bytes after the end of the RIFF chunk were ignored`);
        break;
      }
      // The RIFF size field understates the file (a writer that did not update it): keep going.
      warnings.push(
        `the RIFF size field (${riffSize} bytes) ends before the ${format ? 'data' : 'fmt'} chunk; read past it`,
      );
      end = bytes.length;
    }
    const id = chunkIdAt(bytes, pos);
    if (id === undefined) {
      if (format && data) {
        warnings.push(`unreadable bytes after the data at byte ${pos} were ignored`);
        break;
      }
      fail(
        `corrupt chunk header at byte ${pos} (not a chunk name); no valid ${format ? 'data' : 'fmt'} chunk before it`,
      );
    }
    const size = view.getUint32(pos + 4, true);
    const bodyStart = pos + 8;
    const remaining = bytes.length - bodyStart;
    if (id === 'data') {
      if (data) {
        warnings.push(`a second data chunk at byte ${pos} was ignored`);
      } else if (size === 0xffffffff || (size === 0 && remaining > 0)) {
        warnings.push(
          `the data chunk size is unset (${size === 0 ? 0 : '0xFFFFFFFF'}, as streaming writers leave it); read to the end of the file`,
        );
        data = { offset: bodyStart, size: remaining };
        break;
      } else if (size > remaining) {
        warnings.push(
          `the file is truncated: the data chunk declares ${size} bytes but only ${remaining} are present; decoded what is there`,
        );
        data = { offset: bodyStart, size: remaining };
        break;
      } else {
        data = { offset: bodyStart, size };
      }
    } else if (size > remaining) {
      if (format && data) {
        warnings.push(
          `${chunkName(id)} at byte ${pos} declares ${size} bytes but only ${remaining} remain; ignored`,
        );
        break;
      }
      fail(
        `absurd header: ${chunkName(id)} at byte ${pos} declares ${size} bytes but only ${remaining} remain in the file`,
      );
    } else if (id === 'fmt ') {
      if (format) warnings.push(`a second fmt chunk at byte ${pos} was ignored`);
      else format = parseFmtChunk(view, bodyStart, size, fail);
    }
    // Chunks are word-aligned; some writers omit the pad byte after an odd-sized chunk.
    let next = bodyStart + size;
    if (size % 2 === 1 && !(chunkIdAt(bytes, next) !== undefined && chunkIdAt(bytes, next + 1) === undefined))
      next++;
    pos = next;
  }
  if (!format)
    fail(
      data
        ? 'no fmt chunk before the end of the file: the sample format is unknown'
        : 'no fmt chunk and no data chunk: not a usable WAV file',
    );
  if (!data)
    fail('no data chunk: the file holds no audio (was the recording interrupted while writing the header?)');
  const fmt = format!;
  const dataChunk = data!;
  const frameCount = Math.floor(dataChunk.size / fmt.blockAlign);
  const leftover = dataChunk.size - frameCount * fmt.blockAlign;
  if (leftover > 0)
    warnings.push(`the data ends with ${leftover} bytes of an incomplete sample frame; ignored`);
  if (frameCount === 0) fail('the data chunk holds no complete sample frame: the recording is empty');
  return { format: fmt, dataOffset: dataChunk.offset, frameCount, warnings };
}

function parseFmtChunk(
  view: DataView,
  at: number,
  size: number,
  fail: (problem: string) => never,
): WavFormat {
  if (size < 16) fail(`the fmt chunk is ${size} bytes; at least 16 are needed`);
  let formatTag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRateHz = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const containerBits = view.getUint16(at + 14, true);
  let bitsPerSample = containerBits;
  const extensible = formatTag === WAVE_FORMAT_EXTENSIBLE;
  if (extensible) {
    if (size < 40) fail(`WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes; 40 are needed`);
    const validBits = view.getUint16(at + 18, true);
    if (validBits !== 0) bitsPerSample = validBits;
    formatTag = view.getUint16(at + 24, true);
    for (let i = 0; i < EXTENSIBLE_GUID_TAIL.length; i++) {
      if (view.getUint8(at + 26 + i) !== EXTENSIBLE_GUID_TAIL[i]) {
        fail(
          'WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID (not PCM or IEEE float); unsupported codec',
        );
      }
    }
  }
  if (formatTag !== WAVE_FORMAT_PCM && formatTag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = KNOWN_UNSUPPORTED_CODECS[formatTag] ?? 'an unknown codec';
    fail(
      `unsupported codec: ${name} (format tag 0x${formatTag.toString(16).padStart(4, '0')}); only PCM and IEEE-float WAV (or FLAC) can be read — convert it, e.g. \`ffmpeg -i in.wav -c:a pcm_s16le out.wav\``,
    );
  }
  if (channels === 0) fail('the fmt chunk declares zero channels');
  if (channels > MAX_CHANNELS) fail(`absurd header: ${channels} channels (more than ${MAX_CHANNELS})`);
  if (sampleRateHz < MIN_SAMPLE_RATE_HZ || sampleRateHz > MAX_SAMPLE_RATE_HZ) {
    fail(
      `absurd header: sample rate ${sampleRateHz} Hz (expected ${MIN_SAMPLE_RATE_HZ}–${MAX_SAMPLE_RATE_HZ} Hz)`,
    );
  }
  if (containerBits === 0) fail('the fmt chunk declares 0 bits per sample');
  const kind = formatTag === WAVE_FORMAT_PCM ? 'pcm' : 'float';
  const containerBytes = Math.ceil(containerBits / 8);
  if (kind === 'pcm' && (containerBytes < 1 || containerBytes > 4))
    fail(`unsupported PCM sample size: ${containerBits} bits (8, 16, 24 and 32 are supported)`);
  if (kind === 'float' && containerBits !== 32 && containerBits !== 64)
    fail(`unsupported IEEE-float sample size: ${containerBits} bits (32 and 64 are supported)`);
  if (bitsPerSample > containerBits)
    fail(`absurd header: ${bitsPerSample} valid bits in a ${containerBits}-bit sample`);
  if (blockAlign !== channels * containerBytes) {
    fail(
      `absurd header: block align ${blockAlign} bytes does not match ${channels} channel(s) × ${containerBytes} bytes per sample`,
    );
  }
  return { formatTag, extensible, kind, channels, sampleRateHz, containerBytes, bitsPerSample, blockAlign };
}

/**
 * The mean of the channels of the WAV samples as float (PCM scaled by 1/2^(container bits − 1),
 * 8-bit offset by 128). Throws if a float file holds NaN or infinite samples.
 */
export function downmixWavToMono(bytes: Uint8Array, wav: WavFile, fileName: string): Float32Array {
  const { format, dataOffset, frameCount } = wav;
  const { channels, containerBytes, kind } = format;
  const out = new Float32Array(frameCount);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, frameCount * format.blockAlign);
  const sampleCount = frameCount * channels;
  const absolute = bytes.byteOffset + dataOffset;
  // Typed-array views are fastest but need an aligned offset (and a little-endian host, which
  // every platform Node runs on is); otherwise fall back to DataView reads.
  const aligned = absolute % containerBytes === 0 && LITTLE_ENDIAN_HOST;
  const inv = 1 / channels;
  if (kind === 'pcm') {
    const scale = 1 / 2 ** (containerBytes * 8 - 1);
    if (containerBytes === 2 && aligned) {
      const s = new Int16Array(bytes.buffer, absolute, sampleCount);
      if (channels === 1) for (let i = 0; i < frameCount; i++) out[i] = s[i]! * scale;
      else mixInterleaved(s, channels, frameCount, scale * inv, out);
    } else if (containerBytes === 4 && aligned) {
      mixInterleaved(
        new Int32Array(bytes.buffer, absolute, sampleCount),
        channels,
        frameCount,
        scale * inv,
        out,
      );
    } else if (containerBytes === 1) {
      const s = bytes.subarray(dataOffset, dataOffset + sampleCount);
      for (let i = 0, p = 0; i < frameCount; i++) {
        let acc = 0;
        for (let c = 0; c < channels; c++) acc += s[p++]! - 128;
        out[i] = acc * scale * inv;
      }
    } else {
      const read =
        containerBytes === 2
          ? (o: number) => view.getInt16(o, true)
          : containerBytes === 4
            ? (o: number) => view.getInt32(o, true)
            : (o: number) =>
                ((view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getUint8(o + 2) << 16)) << 8) >> 8;
      for (let i = 0, o = 0; i < frameCount; i++) {
        let acc = 0;
        for (let c = 0; c < channels; c++, o += containerBytes) acc += read(o);
        out[i] = acc * scale * inv;
      }
    }
  } else {
    let acc = 0;
    let peak = 0;
    for (let i = 0, o = 0; i < frameCount; i++) {
      let frameSum = 0;
      for (let c = 0; c < channels; c++, o += containerBytes) {
        const v = containerBytes === 4 ? view.getFloat32(o, true) : view.getFloat64(o, true);
        frameSum += v;
        const m = Math.abs(v);
        if (m > peak) peak = m;
      }
      out[i] = frameSum * inv;
      acc += frameSum * 0; // NaN/±Inf propagate through 0·x, finite values add 0
    }
    // Finite but absurd values (1e300 in a float64 file: garbage, not sound) would overflow to
    // infinity in the float32 result or in the filters after it.
    if (Number.isFinite(acc) && peak > MAX_FLOAT_SAMPLE)
      throw new AudioDecodeError(
        fileName,
        `the float data holds absurd sample values (magnitude up to ${peak.toExponential(1)}; full scale is 1): the data is corrupt`,
      );
    if (!Number.isFinite(acc)) {
      let bad = 0;
      let first = -1;
      for (let i = 0; i < frameCount; i++) {
        if (!Number.isFinite(out[i]!)) {
          bad++;
          if (first < 0) first = i;
        }
      }
      throw new AudioDecodeError(
        fileName,
        `the float data contains non-finite samples (NaN or infinity) in ${bad} frame(s), first at ${(first / format.sampleRateHz).toFixed(3)} s`,
      );
    }
  }
  return out;
}

function mixInterleaved(
  s: Int16Array | Int32Array,
  channels: number,
  frameCount: number,
  scale: number,
  out: Float32Array,
): void {
  for (let i = 0, p = 0; i < frameCount; i++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) acc += s[p++]!;
    out[i] = acc * scale;
  }
}

/** Largest float sample magnitude read as sound (80 dB above full scale); beyond it data is corrupt. */
const MAX_FLOAT_SAMPLE = 1e4;

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
