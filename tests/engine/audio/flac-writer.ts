/**
 * Minimal FLAC encoder for tests (no FLAC encoder is installed here): VERBATIM subframes,
 * independent channels, fixed block size, valid frame CRCs. The decoder under test is libFLAC,
 * so a stream it accepts is a real FLAC stream.
 */

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private bits = 0;

  write(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | (Math.floor(value / 2 ** i) & 1);
      this.bits++;
      if (this.bits === 8) {
        this.bytes.push(this.acc & 0xff);
        this.acc = 0;
        this.bits = 0;
      }
    }
  }

  alignToByte(): void {
    while (this.bits !== 0) this.write(0, 1);
  }

  get length(): number {
    return this.bytes.length;
  }

  toArray(): number[] {
    return this.bytes.slice();
  }

  pushBytes(values: number[]): void {
    this.alignToByte();
    this.bytes.push(...values);
  }
}

function crc8(bytes: number[]): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: number[]): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** UTF-8-like coding of the frame number (values < 2^16 suffice for test files). */
function codedNumber(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x800) return [0xc0 | (n >> 6), 0x80 | (n & 0x3f)];
  if (n < 0x10000) return [0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)];
  throw new Error('flac-writer: too many frames');
}

const SAMPLE_SIZE_CODES: Record<number, number> = { 8: 0b001, 12: 0b010, 16: 0b100, 20: 0b101, 24: 0b110 };

/** FLAC bytes of integer PCM `channels` (values in the signed `bitsPerSample` range). */
export function encodeFlacVerbatim(
  channels: Int32Array[],
  sampleRateHz: number,
  bitsPerSample: number,
  blockSize = 4096,
): Uint8Array {
  return encodeFlac(
    channels.length,
    channels[0]!.length,
    sampleRateHz,
    bitsPerSample,
    blockSize,
    (f, c, start, n) => {
      f.write(0, 1);
      f.write(0b000001, 6); // VERBATIM
      f.write(0, 1);
      for (let i = 0; i < n; i++) {
        const v = channels[c]![start + i]!;
        f.write(v < 0 ? v + 2 ** bitsPerSample : v, bitsPerSample);
      }
    },
  );
}

/**
 * Silence in CONSTANT subframes: a few bytes per frame of `blockSize` samples per channel, the
 * shape of a decompression bomb (`frames` × `blockSize` × channels samples from a tiny file).
 */
export function encodeFlacSilence(
  channelCount: number,
  sampleRateHz: number,
  frames: number,
  blockSize = 65535,
): Uint8Array {
  return encodeFlac(channelCount, frames * blockSize, sampleRateHz, 16, blockSize, (f) => {
    f.write(0, 1);
    f.write(0b000000, 6); // CONSTANT
    f.write(0, 1);
    f.write(0, 16);
  });
}

function encodeFlac(
  channelCount: number,
  total: number,
  sampleRateHz: number,
  bitsPerSample: number,
  blockSize: number,
  writeSubframe: (f: BitWriter, channel: number, start: number, n: number) => void,
): Uint8Array {
  if (!(bitsPerSample in SAMPLE_SIZE_CODES) || sampleRateHz > 65535)
    throw new Error('flac-writer: unsupported bit depth or rate');
  const w = new BitWriter();
  for (const c of 'fLaC') w.write(c.charCodeAt(0), 8);
  w.write(1, 1); // last metadata block
  w.write(0, 7); // STREAMINFO
  w.write(34, 24);
  w.write(blockSize, 16);
  w.write(blockSize, 16);
  w.write(0, 24);
  w.write(0, 24);
  w.write(sampleRateHz, 20);
  w.write(channelCount - 1, 3);
  w.write(bitsPerSample - 1, 5);
  w.write(total, 36);
  for (let i = 0; i < 16; i++) w.write(0, 8); // MD5 unknown
  const out = w.toArray();
  for (let frame = 0, start = 0; start < total; frame++, start += blockSize) {
    const n = Math.min(blockSize, total - start);
    const f = new BitWriter();
    f.write(0b11111111111110, 14);
    f.write(0, 1);
    f.write(0, 1); // fixed block size
    f.write(0b0111, 4); // block size − 1 in 16 bits after the header
    f.write(0b1101, 4); // sample rate in Hz, 16 bits after the block size
    f.write(channelCount - 1, 4); // independent channels
    f.write(SAMPLE_SIZE_CODES[bitsPerSample]!, 3);
    f.write(0, 1);
    f.pushBytes(codedNumber(frame));
    f.write(n - 1, 16);
    f.write(sampleRateHz, 16);
    f.pushBytes([crc8(f.toArray())]);
    for (let c = 0; c < channelCount; c++) writeSubframe(f, c, start, n);
    f.alignToByte();
    const frameBytes = f.toArray();
    const crc = crc16(frameBytes);
    out.push(...frameBytes, crc >> 8, crc & 0xff);
  }
  return Uint8Array.from(out);
}
