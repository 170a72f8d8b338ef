// Element-wise kernels over values [i0, i1) (byte offsets in the shared memory; four values at a
// time, the tail one by one).

// LeakyReLU gradient: dx = dy where x > 0, α·dy elsewhere.
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

// out = a + b.
export function add(out: usize, a: usize, b: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

// LeakyReLU: out = x where x > 0, α·x elsewhere.
export function leakyRelu(out: usize, x: usize, i0: i32, i1: i32, alpha: f32): void {
  const scale = f32x4.splat(alpha);
  const zero = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(out + o, v128.bitselect(v, f32x4.mul(v, scale), f32x4.gt(v, zero)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(out + o, v > 0 ? v : v * alpha);
  }
}
