// Per-channel passes of training BatchNorm over row-major [rows, C] activations (C a multiple of
// 4), for the rows [r0, r1) of one chunk. Pointers are byte offsets in the shared memory.

/** Rows summed in float32 before the block's sums are added into the float64 totals. */
const BLOCK_ROWS: i32 = 64;

/**
 * sums[c] += Σ a[r, c] and sums[C + c] += Σ a[r, c]·b[r, c] (float64, at `sums`; the caller zeroes
 * them). Rows go in blocks of BLOCK_ROWS, each block's sums in float32 vectors, four channels at
 * a time; the block's rows stay in cache while the channel groups sweep them.
 */
export function channelSums(a: usize, b: usize, r0: i32, r1: i32, C: i32, sums: usize): void {
  const rowBytes = <usize>(C << 2);
  const sqOffset = <usize>(C << 3);
  for (let rb = r0; rb < r1; rb += BLOCK_ROWS) {
    const re = min(r1, rb + BLOCK_ROWS);
    for (let c = 0; c < C; c += 4) {
      let s = f32x4.splat(0);
      let q = f32x4.splat(0);
      let pa = a + (<usize>(rb * C + c) << 2);
      let pb = b + (<usize>(rb * C + c) << 2);
      for (let r = rb; r < re; r++) {
        const v = v128.load(pa);
        s = f32x4.add(s, v);
        q = f32x4.add(q, f32x4.mul(v, v128.load(pb)));
        pa += rowBytes;
        pb += rowBytes;
      }
      const at = sums + (<usize>c << 3);
      v128.store(at, f64x2.add(v128.load(at), f64x2.promote_low_f32x4(s)));
      v128.store(at, f64x2.add(v128.load(at, 16), f64x2.promote_low_f32x4(f32x4.shuffle(s, s, 2, 3, 0, 1))), 16);
      const atQ = at + sqOffset;
      v128.store(atQ, f64x2.add(v128.load(atQ), f64x2.promote_low_f32x4(q)));
      v128.store(atQ, f64x2.add(v128.load(atQ, 16), f64x2.promote_low_f32x4(f32x4.shuffle(q, q, 2, 3, 0, 1))), 16);
    }
  }
}

/** out[r, c] = x[r, c]·a[c] + b[c] for rows [r0, r1). */
export function affine(out: usize, x: usize, a: usize, b: usize, r0: i32, r1: i32, C: i32): void {
  const cBytes = <usize>(C << 2);
  let po = out + (<usize>(r0 * C) << 2);
  let px = x + (<usize>(r0 * C) << 2);
  for (let r = r0; r < r1; r++) {
    for (let c: usize = 0; c < cBytes; c += 16) {
      v128.store(po + c, f32x4.add(f32x4.mul(v128.load(px + c), v128.load(a + c)), v128.load(b + c)));
    }
    po += cBytes;
    px += cBytes;
  }
}

/** out[r, c] = x[r, c]·a[c] + y[r, c]·k[c] + b[c] for rows [r0, r1). */
export function affine2(out: usize, x: usize, y: usize, a: usize, k: usize, b: usize, r0: i32, r1: i32, C: i32): void {
  const cBytes = <usize>(C << 2);
  let po = out + (<usize>(r0 * C) << 2);
  let px = x + (<usize>(r0 * C) << 2);
  let py = y + (<usize>(r0 * C) << 2);
  for (let r = r0; r < r1; r++) {
    for (let c: usize = 0; c < cBytes; c += 16) {
      const t = f32x4.add(f32x4.mul(v128.load(px + c), v128.load(a + c)), f32x4.mul(v128.load(py + c), v128.load(k + c)));
      v128.store(po + c, f32x4.add(t, v128.load(b + c)));
    }
    po += cBytes;
    px += cBytes;
    py += cBytes;
  }
}
