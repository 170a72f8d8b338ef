/** Hand-made RIFF files for the decoder tests: arbitrary chunks, layouts and header fields. */

export interface Chunk {
  id: string;
  body: Uint8Array;
  /** Override the size field (to fake truncated or absurd chunks). */
  declaredSize?: number;
}

export function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** RIFF/WAVE from chunks; odd-sized chunks get their pad byte unless `omitPad`. */
export function riffWave(chunks: Chunk[], options: { omitPad?: boolean; form?: string } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    const head = new Uint8Array(8);
    head.set(bytesOf(c.id), 0);
    new DataView(head.buffer).setUint32(4, c.declaredSize ?? c.body.length, true);
    parts.push(head, c.body);
    if (c.body.length % 2 === 1 && !options.omitPad) parts.push(new Uint8Array(1));
  }
  const bodyLength = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(12 + bodyLength);
  out.set(bytesOf('RIFF'), 0);
  new DataView(out.buffer).setUint32(4, 4 + bodyLength, true);
  out.set(bytesOf(options.form ?? 'WAVE'), 8);
  let p = 12;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

export interface FmtFields {
  formatTag: number;
  channels: number;
  sampleRateHz: number;
  bits: number;
  blockAlign?: number;
  extra?: Uint8Array;
}

export function fmtChunk(f: FmtFields): Chunk {
  const extra = f.extra ?? new Uint8Array(0);
  const body = new Uint8Array(16 + extra.length);
  const v = new DataView(body.buffer);
  const blockAlign = f.blockAlign ?? f.channels * Math.ceil(f.bits / 8);
  v.setUint16(0, f.formatTag, true);
  v.setUint16(2, f.channels, true);
  v.setUint32(4, f.sampleRateHz, true);
  v.setUint32(8, f.sampleRateHz * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, f.bits, true);
  body.set(extra, 16);
  return { id: 'fmt ', body };
}

/** 16-bit PCM little-endian bytes of `samples` (±1 full scale), interleaved if several channels. */
export function pcm16(channels: Float32Array[]): Uint8Array {
  const n = channels[0]!.length;
  const out = new Uint8Array(n * channels.length * 2);
  const v = new DataView(out.buffer);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (const ch of channels) {
      v.setInt16(p, Math.max(-32768, Math.min(32767, Math.round(ch[i]! * 32768))), true);
      p += 2;
    }
  }
  return out;
}

/** A deterministic test signal: sum of two tones and a little pseudo-noise, amplitude < 0.9. */
export function testSignal(length: number, sampleRateHz = 16000, seed = 1): Float32Array {
  const x = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const noise = (s / 2 ** 32 - 0.5) * 0.1;
    x[i] =
      0.5 * Math.sin((2 * Math.PI * 440 * i) / sampleRateHz) +
      0.3 * Math.sin((2 * Math.PI * 3150 * i) / sampleRateHz + 0.3) +
      noise;
  }
  return x;
}
