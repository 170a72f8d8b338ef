/**
 * Mutators of the fuzzer, after libsndfile's and AFL's: bit flips, interesting byte values,
 * chunk-size and block-header edits that target the RIFF and FLAC structures, truncation, splices
 * of two inputs, and inserted or deleted runs. Deterministic for a given Random.
 */
import type { Random } from '../src/engine/datasets/prng.ts';

const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

export type MutatorName =
  | 'bitflip'
  | 'interesting-byte'
  | 'chunk-size'
  | 'header-field'
  | 'flac-header'
  | 'truncate'
  | 'splice'
  | 'insert'
  | 'delete'
  | 'duplicate';

export const MUTATORS: MutatorName[] = [
  'bitflip',
  'interesting-byte',
  'chunk-size',
  'header-field',
  'flac-header',
  'truncate',
  'splice',
  'insert',
  'delete',
  'duplicate',
];

/** Offsets of RIFF chunk headers (id + size) in `b`, following the chunk chain as a reader would. */
function riffChunkOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  if (b.length < 12) return out;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = 12;
  for (let i = 0; i < 64 && pos + 8 <= b.length; i++) {
    out.push(pos);
    const size = view.getUint32(pos + 4, true);
    pos += 8 + size + (size % 2);
  }
  return out;
}

/** Offsets of FLAC frame sync codes (0xFFF8/0xFFF9) in the first 64 KiB, and metadata headers. */
function flacOffsets(b: Uint8Array): number[] {
  const out: number[] = [4]; // first metadata block header
  for (let i = 4; i < Math.min(b.length - 1, 65536); i++)
    if (b[i] === 0xff && (b[i + 1]! & 0xfe) === 0xf8) out.push(i);
  return out;
}

function setU32(b: Uint8Array, at: number, v: number): void {
  if (at + 4 > b.length) return;
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v >>> 0, true);
}

/** One mutation of `input` (a fresh array; `input` is not changed). */
export function mutate(input: Uint8Array, other: Uint8Array, rnd: Random, name: MutatorName): Uint8Array {
  const n = input.length;
  const at = () => rnd.int(0, Math.max(0, n - 1));
  switch (name) {
    case 'bitflip': {
      const b = input.slice();
      const flips = 1 << rnd.int(0, 4); // 1, 2, 4, 8 or 16 bits
      for (let i = 0; i < flips && n > 0; i++) b[at()]! ^= 1 << rnd.int(0, 7);
      return b;
    }
    case 'interesting-byte': {
      const b = input.slice();
      if (n > 0) b[at()] = INTERESTING_32[rnd.int(0, 4)]! & 0xff;
      return b;
    }
    case 'chunk-size': {
      // A RIFF chunk's or the RIFF header's size field set to an edge value or nudged.
      const b = input.slice();
      const offsets = [0, ...riffChunkOffsets(b)];
      const pos = offsets[rnd.int(0, offsets.length - 1)]! + 4;
      const cur = pos + 4 <= n ? new DataView(b.buffer).getUint32(pos, true) : 0;
      const choice = rnd.int(0, 3);
      setU32(
        b,
        pos,
        choice === 0
          ? INTERESTING_32[rnd.int(0, INTERESTING_32.length - 1)]!
          : choice === 1
            ? cur + rnd.int(-3, 3)
            : choice === 2
              ? cur * 2
              : rnd.int(0, n * 2),
      );
      return b;
    }
    case 'header-field': {
      // Somewhere in the first 64 bytes (fmt fields: tag, channels, rate, block align, bits).
      const b = input.slice();
      const pos = rnd.int(0, Math.max(0, Math.min(n, 64) - 2));
      const value = INTERESTING_32[rnd.int(0, INTERESTING_32.length - 1)]!;
      if (rnd.next() < 0.5) setU32(b, pos, value);
      else if (pos + 2 <= n) new DataView(b.buffer).setUint16(pos, value & 0xffff, true);
      return b;
    }
    case 'flac-header': {
      // A byte of a FLAC metadata block header or frame header (block size, rate, channels, bits).
      const b = input.slice();
      const offsets = flacOffsets(b);
      const pos = offsets[rnd.int(0, offsets.length - 1)]! + rnd.int(0, 7);
      if (pos < n) b[pos] = rnd.next() < 0.5 ? rnd.int(0, 255) : b[pos]! ^ (1 << rnd.int(0, 7));
      return b;
    }
    case 'truncate':
      return input.slice(0, rnd.int(0, n));
    case 'splice': {
      const cut = rnd.int(0, n);
      const from = rnd.int(0, other.length);
      const out = new Uint8Array(cut + other.length - from);
      out.set(input.subarray(0, cut), 0);
      out.set(other.subarray(from), cut);
      return out;
    }
    case 'insert': {
      const pos = rnd.int(0, n);
      const len = rnd.int(1, 64);
      const out = new Uint8Array(n + len);
      out.set(input.subarray(0, pos), 0);
      for (let i = 0; i < len; i++) out[pos + i] = rnd.int(0, 255);
      out.set(input.subarray(pos), pos + len);
      return out;
    }
    case 'delete': {
      const pos = rnd.int(0, n);
      const len = rnd.int(1, 256);
      const out = new Uint8Array(Math.max(0, n - Math.min(len, n - pos)));
      out.set(input.subarray(0, pos), 0);
      out.set(input.subarray(Math.min(n, pos + len)), pos);
      return out;
    }
    case 'duplicate': {
      const start = rnd.int(0, n);
      const end = Math.min(n, start + rnd.int(1, 512));
      const pos = rnd.int(0, n);
      const region = input.subarray(start, end);
      const out = new Uint8Array(n + region.length);
      out.set(input.subarray(0, pos), 0);
      out.set(region, pos);
      out.set(input.subarray(pos), pos + region.length);
      return out;
    }
  }
}
