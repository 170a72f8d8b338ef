// AssemblyScript source of the filter-gradient micro-kernel (compiled by scripts/build-kernels.mjs
// into filter-grad.wasm, which is committed; tests check that the two agree).
//
// dW[lane, co] (+)= Σ over output pixels (n, i, j) in rows [r0, r1) of x[lane] · dy[n, i, j, co],
// for 4 "lanes" whose input values sit next to each other in memory: 4 input channels of one
// filter tap, or — for a single input channel — 4 neighbouring taps of one filter row. The
// caller points `x` at lane 0 of pixel (0, 0, 0) for its tap, so one 16-byte load fetches all
// 4 lanes of a pixel; the tile is 4 lanes × 8 output channels in 8 vector accumulators. No
// packing and no im2col: x and dy are read where they are.
//
// `dy` and `out` point at the first of `coCount` output channels (a multiple of 8) of the `cout`
// in a pixel's dy row; `outLane` is the distance between the lanes' rows of `out`.
// Pointers are byte offsets in the shared memory; strides are in floats. Each output element is
// a sum over pixels in pixel order, whatever thread runs it.
export function dwTile(
  x: usize,
  dy: usize,
  out: usize,
  r0: i32,
  r1: i32,
  ho: i32,
  wo: i32,
  xImage: i32,
  xRow: i32,
  xCol: i32,
  cout: i32,
  coCount: i32,
  outLane: i32,
  lanes: i32,
  accumulate: i32,
): void {
  const xColBytes = <usize>(xCol << 2);
  const dyColBytes = <usize>(cout << 2);
  for (let co0 = 0; co0 < coCount; co0 += 8) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let b0 = f32x4.splat(0);
    let b1 = f32x4.splat(0);
    let c0 = f32x4.splat(0);
    let c1 = f32x4.splat(0);
    let d0 = f32x4.splat(0);
    let d1 = f32x4.splat(0);
    let n = r0 / ho;
    let i = r0 - n * ho;
    let xRowStart = x + (<usize>(n * xImage + i * xRow) << 2);
    let dp = dy + (<usize>(r0 * wo * cout + co0) << 2);
    for (let r = r0; r < r1; r++) {
      let xp = xRowStart;
      if (++i === ho) {
        i = 0;
        n++;
        xRowStart = x + (<usize>(n * xImage) << 2);
      } else {
        xRowStart += <usize>(xRow << 2);
      }
      for (let j = 0; j < wo; j++) {
        const xv = v128.load(xp);
        const g0 = v128.load(dp);
        const g1 = v128.load(dp, 16);
        const s0 = f32x4.shuffle(xv, xv, 0, 0, 0, 0);
        const s1 = f32x4.shuffle(xv, xv, 1, 1, 1, 1);
        const s2 = f32x4.shuffle(xv, xv, 2, 2, 2, 2);
        const s3 = f32x4.shuffle(xv, xv, 3, 3, 3, 3);
        a0 = f32x4.add(a0, f32x4.mul(s0, g0));
        a1 = f32x4.add(a1, f32x4.mul(s0, g1));
        b0 = f32x4.add(b0, f32x4.mul(s1, g0));
        b1 = f32x4.add(b1, f32x4.mul(s1, g1));
        c0 = f32x4.add(c0, f32x4.mul(s2, g0));
        c1 = f32x4.add(c1, f32x4.mul(s2, g1));
        d0 = f32x4.add(d0, f32x4.mul(s3, g0));
        d1 = f32x4.add(d1, f32x4.mul(s3, g1));
        xp += xColBytes;
        dp += dyColBytes;
      }
    }
    const laneBytes = <usize>(outLane << 2);
    const o = out + (<usize>co0 << 2);
    storeLane(o, a0, a1, accumulate);
    if (lanes > 1) storeLane(o + laneBytes, b0, b1, accumulate);
    if (lanes > 2) storeLane(o + 2 * laneBytes, c0, c1, accumulate);
    if (lanes > 3) storeLane(o + 3 * laneBytes, d0, d1, accumulate);
  }
}

// One lane's 8 output channels: stored, or added to what earlier pixel blocks stored there.
// @inline
function storeLane(at: usize, lo: v128, hi: v128, accumulate: i32): void {
  if (accumulate) {
    lo = f32x4.add(lo, v128.load(at));
    hi = f32x4.add(hi, v128.load(at, 16));
  }
  v128.store(at, lo);
  v128.store(at, hi, 16);
}
