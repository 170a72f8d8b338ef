// Max-pool gradient for images [b0, b1): dy [B, OH, OW, C] goes onto the first maximum of each
// window of x [B, H, W, C] (C a multiple of 4); dx has x's shape and is zeroed here for these
// images. Four channels at a time: the running maximum and its position are vectors, compared
// in window order with a strict > (the first maximum wins, as in the scalar kernel); then each
// lane adds its dy value at its position. Windows overlap, so images are the unit of a chunk.
export function maxPoolGrad(
  dx: usize,
  dy: usize,
  x: usize,
  b0: i32,
  b1: i32,
  H: i32,
  W: i32,
  C: i32,
  OH: i32,
  OW: i32,
  sh: i32,
  sw: i32,
  fh: i32,
  fw: i32,
  pt: i32,
  pl: i32,
): void {
  const image = H * W * C;
  memory.fill(dx + (<usize>(b0 * image) << 2), 0, <usize>((b1 - b0) * image) << 2);
  const laneOffsets = i32x4(0, 1, 2, 3);
  for (let b = b0; b < b1; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const i0 = max(0, oh * sh - pt);
      const i1 = min(H, oh * sh - pt + fh);
      for (let ow = 0; ow < OW; ow++) {
        const j0 = max(0, ow * sw - pl);
        const j1 = min(W, ow * sw - pl + fw);
        const g = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c += 4) {
          let best = f32x4.splat(-Infinity);
          let where = i32x4.splat(-1);
          for (let i = i0; i < i1; i++) {
            for (let j = j0; j < j1; j++) {
              const k = ((b * H + i) * W + j) * C + c;
              const v = v128.load(x + (<usize>k << 2));
              const better = f32x4.gt(v, best);
              best = v128.bitselect(v, best, better);
              where = v128.bitselect(i32x4.add(i32x4.splat(k), laneOffsets), where, better);
            }
          }
          const gv = v128.load(dy + (<usize>(g + c) << 2));
          addAt(dx, i32x4.extract_lane(where, 0), f32x4.extract_lane(gv, 0));
          addAt(dx, i32x4.extract_lane(where, 1), f32x4.extract_lane(gv, 1));
          addAt(dx, i32x4.extract_lane(where, 2), f32x4.extract_lane(gv, 2));
          addAt(dx, i32x4.extract_lane(where, 3), f32x4.extract_lane(gv, 3));
        }
      }
    }
  }
}

// @inline
function addAt(dx: usize, k: i32, value: f32): void {
  if (k < 0) return;
  const at = dx + (<usize>k << 2);
  store<f32>(at, load<f32>(at) + value);
}
