/**
 * WAV writer for the formats the decoder reads: PCM 8/16/24/32-bit and IEEE float 32/64, plain
 * or WAVE_FORMAT_EXTENSIBLE, any channel count. Used to write synthetic recordings and to
 * generate test files in every format.
 */

export type WavSampleFormat = { kind: 'pcm'; bits: 8 | 16 | 24 | 32 } | { kind: 'float'; bits: 32 | 64 };

export interface WavEncodeOptions {
  /** Write a 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk (as MIMII raw files have). Default false. */
  extensible?: boolean;
}

export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID; bytes 0..1 hold the format tag (LE). */
export const EXTENSIBLE_GUID_TAIL = Uint8Array.of(
  0x00,
  0x00,
  0x00,
  0x00,
  0x10,
  0x00,
  0x80,
  0x00,
  0x00,
  0xaa,
  0x00,
  0x38,
  0x9b,
  0x71,
);

/**
 * Encode `channels` (one Float32Array per channel, all the same length, samples in [-1, 1]) at
 * `sampleRateHz` into a complete RIFF/WAVE file. PCM samples are `round(x · 2^(bits−1))`, clipped to
 * the integer range (8-bit is unsigned with offset 128, as the format requires), so that reading
 * back with the scale 1/2^(bits−1) returns x within half a quantisation step.
 */
export function encodeWav(
  channels: Float32Array[],
  sampleRateHz: number,
  format: WavSampleFormat,
  options: WavEncodeOptions = {},
): Uint8Array {
  const channelCount = channels.length;
  if (channelCount < 1 || channelCount > 65535)
    throw new Error(`encodeWav: channel count ${channelCount} is not in 1..65535`);
  const frameCount = channels[0]!.length;
  for (const [i, ch] of channels.entries()) {
    if (ch.length !== frameCount)
      throw new Error(`encodeWav: channel ${i} has ${ch.length} samples, channel 0 has ${frameCount}`);
  }
  if (!Number.isInteger(sampleRateHz) || sampleRateHz <= 0)
    throw new Error(`encodeWav: sample rate ${sampleRateHz} Hz is not a positive integer`);
  const validBits = format.kind === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!validBits.includes(format.bits))
    throw new Error(`encodeWav: ${format.kind} ${format.bits}-bit is not supported`);

  const extensible = options.extensible ?? false;
  const bytesPerSample = format.bits / 8;
  const blockAlign = bytesPerSample * channelCount;
  const dataBytes = blockAlign * frameCount;
  const formatTag = format.kind === 'pcm' ? WAVE_FORMAT_PCM : WAVE_FORMAT_IEEE_FLOAT;
  // Non-PCM formats carry cbSize (fmt of 18 bytes) and a fact chunk, as the spec asks.
  const fmtBytes = extensible ? 40 : format.kind === 'float' ? 18 : 16;
  const hasFact = format.kind === 'float' || extensible;
  const headerBytes = 12 + 8 + fmtBytes + (hasFact ? 12 : 0) + 8;
  const padByte = dataBytes % 2; // RIFF chunks are word-aligned
  const totalBytes = headerBytes + dataBytes + padByte;
  if (totalBytes - 8 > 0xffffffff)
    throw new Error(`encodeWav: ${totalBytes} bytes exceed the 4 GiB RIFF limit`);

  const out = new Uint8Array(totalBytes);
  const view = new DataView(out.buffer);
  let p = 0;
  const ascii = (s: string): void => {
    for (let i = 0; i < 4; i++) out[p + i] = s.charCodeAt(i);
    p += 4;
  };
  const u16 = (v: number): void => {
    view.setUint16(p, v, true);
    p += 2;
  };
  const u32 = (v: number): void => {
    view.setUint32(p, v, true);
    p += 4;
  };

  ascii('RIFF');
  u32(totalBytes - 8);
  ascii('WAVE');
  ascii('fmt ');
  u32(fmtBytes);
  u16(extensible ? WAVE_FORMAT_EXTENSIBLE : formatTag);
  u16(channelCount);
  u32(sampleRateHz);
  u32(sampleRateHz * blockAlign);
  u16(blockAlign);
  u16(format.bits);
  if (fmtBytes >= 18) u16(fmtBytes - 18); // cbSize
  if (extensible) {
    u16(format.bits); // valid bits per sample
    u32(channelCount <= 32 ? 2 ** channelCount - 1 : 0); // channel mask: the first N speaker positions
    u16(formatTag); // sub-format GUID: tag, then the fixed tail
    out.set(EXTENSIBLE_GUID_TAIL, p);
    p += EXTENSIBLE_GUID_TAIL.length;
  }
  if (hasFact) {
    ascii('fact');
    u32(4);
    u32(frameCount);
  }
  ascii('data');
  u32(dataBytes);
  writeSamples(view, p, channels, format);
  return out;
}

function writeSamples(
  view: DataView,
  offset: number,
  channels: Float32Array[],
  format: WavSampleFormat,
): void {
  const channelCount = channels.length;
  const frameCount = channels[0]!.length;
  const bytesPerSample = format.bits / 8;
  const scale = 2 ** (format.bits - 1);
  const maxInt = scale - 1;
  let p = offset;
  for (let i = 0; i < frameCount; i++) {
    for (let c = 0; c < channelCount; c++) {
      const x = channels[c]![i]!;
      if (format.kind === 'float') {
        if (format.bits === 32) view.setFloat32(p, x, true);
        else view.setFloat64(p, x, true);
      } else {
        let q = Math.round(x * scale);
        if (q > maxInt) q = maxInt;
        else if (q < -scale) q = -scale;
        else if (Number.isNaN(q)) q = 0;
        if (format.bits === 8) view.setUint8(p, q + 128);
        else if (format.bits === 16) view.setInt16(p, q, true);
        else if (format.bits === 24) {
          const u = q & 0xffffff;
          view.setUint8(p, u & 0xff);
          view.setUint8(p + 1, (u >> 8) & 0xff);
          view.setUint8(p + 2, (u >> 16) & 0xff);
        } else view.setInt32(p, q, true);
      }
      p += bytesPerSample;
    }
  }
}
