// LeakyReLU gradient: dx = dy where x > 0, α·dy elsewhere, for values [i0, i1) (byte offsets in
// the shared memory; i0 a multiple of 4, the tail done one value at a time).
export function leakyReluGrad(dx: usize, dy: usize, x: usize, i0: i32, i1: i32, alpha: f32): void {
  const scale = f32x4.splat(alpha);
  const zero = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(dy + o);
    v128.store(dx + o, v128.bitselect(g, f32x4.mul(g, scale), f32x4.gt(v128.load(x + o), zero)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    store<f32>(dx + o, load<f32>(x + o) > 0 ? g : g * alpha);
  }
}
