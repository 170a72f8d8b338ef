/**
 * The Mahalanobis kernel of the Gaussian back-ends as a small WebAssembly SIMD module (f64x2):
 * ‖L⁻¹a‖² and ‖L⁻¹b‖² for two centred points, four rows of L⁻¹ per pass, with the same early exit
 * as the JavaScript kernel in gaussian-density.ts. It exists for speed only: float64 throughout,
 * results agree with the JavaScript kernel to rounding (the pairs of columns are summed in a
 * different order). The module is assembled here from its instructions (no build step, no binary
 * blob); `loadMahalanobisWasm()` returns null where WebAssembly SIMD is unavailable.
 *
 * Memory layout (float64 regions): the two results; scratch a − μ and b − μ; the points a and b;
 * K means; K matrices L⁻¹ of dp×dp. Vectors and matrices are zero-padded to dp = d rounded up to a
 * multiple of 4 (zero rows and columns add exactly 0).
 */

// --- a minimal assembler for the instructions used below ----------------------------------------
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function utf8(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32GeS: [0x4e],
  i32LtS: [0x48],
  i32And: [0x71],
  f64Add: [0xa0],
  f64Mul: [0xa2],
  f64Gt: [0x64],
  f64Store: (offset: number) => [0x39, 3, ...uleb(offset)],
  v128Load: [0xfd, 0x00, 3, 0],
  v128LoadAt: (offset: number) => [0xfd, 0x00, 3, ...uleb(offset)],
  v128StoreAt: (offset: number) => [0xfd, 0x0b, 3, ...uleb(offset)],
  v128Zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  f64x2ExtractLane: (lane: number) => [0xfd, 0x21, lane],
  f64x2Add: [0xfd, ...uleb(0xf0)],
  f64x2Sub: [0xfd, ...uleb(0xf1)],
  f64x2Mul: [0xfd, ...uleb(0xf2)],
};

// Parameters and locals of `pair(p, a, b, d, limitA, limitB, out, mu, xa, xb)` (byte offsets, dp).
const P = 0;
const A = 1; // scratch for a = xa − μ
const B = 2; // scratch for b = xb − μ
const D = 3;
const LIMIT_A = 4;
const LIMIT_B = 5;
const OUT = 6;
const MU = 7;
const XA = 8;
const XB = 9;
const ROW = 10; // i, the first of the four rows
const JB = 11; // byte offset of column j
const JEND = 12;
const R = [13, 14, 15, 16]; // byte offsets of the four rows
const STRIDE = 17; // row stride in bytes
const MA = 18;
const MB = 19;
const S = 20;
const ACC_A = [21, 22, 23, 24];
const ACC_B = [25, 26, 27, 28];
const CA = 29;
const CB = 30;
const PV = 31;

function assemble(): Uint8Array {
  // prettier-ignore
  const body: number[] = [
    ...op.get(D), ...op.i32Const(3), ...op.i32Shl, ...op.set(STRIDE),
    ...op.block,
    ...op.loop,
    // while (i < d)
    ...op.get(ROW), ...op.get(D), ...op.i32GeS, ...op.brIf(1),
    ...op.get(P), ...op.get(ROW), ...op.get(STRIDE), ...op.i32Mul, ...op.i32Add, ...op.tee(R[0]!),
    ...op.get(STRIDE), ...op.i32Add, ...op.tee(R[1]!),
    ...op.get(STRIDE), ...op.i32Add, ...op.tee(R[2]!),
    ...op.get(STRIDE), ...op.i32Add, ...op.set(R[3]!),
    // a, b = xa − μ, xb − μ for the four new columns i … i+3 (earlier ones are done)
    ...op.get(ROW), ...op.i32Const(3), ...op.i32Shl, ...op.set(JB),
    ...[
      [A, XA],
      [B, XB],
    ].flatMap(([dst, src]) =>
      [0, 16].flatMap((at) => [
        ...op.get(dst!), ...op.get(JB), ...op.i32Add,
        ...op.get(src!), ...op.get(JB), ...op.i32Add, ...op.v128LoadAt(at),
        ...op.get(MU), ...op.get(JB), ...op.i32Add, ...op.v128LoadAt(at),
        ...op.f64x2Sub, ...op.v128StoreAt(at),
      ]),
    ),
    // columns 0 … i+3 (the rows' entries above the diagonal are zero)
    ...op.get(ROW), ...op.i32Const(4), ...op.i32Add, ...op.i32Const(3), ...op.i32Shl, ...op.set(JEND),
    ...[...ACC_A, ...ACC_B].flatMap((l) => [...op.v128Zero, ...op.set(l)]),
    ...op.i32Const(0), ...op.set(JB),
    ...op.loop,
    ...op.get(A), ...op.get(JB), ...op.i32Add, ...op.v128Load, ...op.set(CA),
    ...op.get(B), ...op.get(JB), ...op.i32Add, ...op.v128Load, ...op.set(CB),
    ...[0, 1, 2, 3].flatMap((q) => [
      ...op.get(R[q]!), ...op.get(JB), ...op.i32Add, ...op.v128Load, ...op.tee(PV),
      ...op.get(CA), ...op.f64x2Mul, ...op.get(ACC_A[q]!), ...op.f64x2Add, ...op.set(ACC_A[q]!),
      ...op.get(PV), ...op.get(CB), ...op.f64x2Mul, ...op.get(ACC_B[q]!), ...op.f64x2Add, ...op.set(ACC_B[q]!),
    ]),
    ...op.get(JB), ...op.i32Const(16), ...op.i32Add, ...op.tee(JB),
    ...op.get(JEND), ...op.i32LtS, ...op.brIf(0),
    ...op.end,
    // m += ((s0² + s1²) + s2²) + s3², s_q = the two lanes of accumulator q added
    ...[
      [MA, ACC_A],
      [MB, ACC_B],
    ].flatMap(([m, acc]) => [
      ...op.get(m as number),
      ...(acc as number[]).flatMap((l, q) => [
        ...op.get(l), ...op.f64x2ExtractLane(0), ...op.get(l), ...op.f64x2ExtractLane(1), ...op.f64Add,
        ...op.tee(S), ...op.get(S), ...op.f64Mul,
        ...(q > 0 ? op.f64Add : []),
      ]),
      ...op.f64Add, ...op.set(m as number),
    ]),
    ...op.get(ROW), ...op.i32Const(4), ...op.i32Add, ...op.set(ROW),
    // stop early once both sums exceed their limits
    ...op.get(MA), ...op.get(LIMIT_A), ...op.f64Gt, ...op.get(MB), ...op.get(LIMIT_B), ...op.f64Gt, ...op.i32And,
    ...op.brIf(1),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.get(OUT), ...op.get(MA), ...op.f64Store(0),
    ...op.get(OUT), ...op.get(MB), ...op.f64Store(8),
    ...op.end,
  ];
  const locals = vec([
    [8, I32],
    [3, F64],
    [11, V128],
  ]);
  const code = [...locals, ...body];
  // prettier-ignore
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [F64], [F64], [I32], [I32], [I32], [I32]]), ...vec([])]])),
    ...section(2, vec([[...utf8('env'), ...utf8('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...utf8('pair'), 0x00, 0]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

/** Mahalanobis sums of point pairs against a set of Gaussians held in wasm memory. */
export interface MahalanobisWasm {
  /**
   * Copies the K means and factors L⁻¹ (row-major d×d) into wasm memory; call before the others.
   * The arrays must not change afterwards: a repeated load of the same arrays is skipped.
   */
  load(means: readonly Float64Array[], factors: readonly Float64Array[], d: number): void;
  /** Sets the two points a = x[ao…ao+d), b = x[bo…bo+d) that `pair` measures. */
  setPoints(x: Float64Array, ao: number, bo: number): void;
  /** Writes ‖L_k⁻¹(a − μ_k)‖², ‖L_k⁻¹(b − μ_k)‖² (partial sums once both exceed their limits) to m[0], m[1]. */
  pair(k: number, limitA: number, limitB: number, m: Float64Array): void;
}

/** The part of the WebAssembly JS API used here (Node's type definitions do not declare it). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number }) => {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

let cached: MahalanobisWasm | null | undefined;
let enabled = globalThis.process?.env?.AUSCULT_BACKEND_WASM !== '0';

/**
 * Turns the SIMD kernel on or off (default on; env AUSCULT_BACKEND_WASM=0 starts with it off).
 * For tests and benchmarks that compare the two kernels.
 */
export function useMahalanobisWasm(on: boolean): void {
  enabled = on;
}

function sameArrays(a: readonly Float64Array[], b: readonly Float64Array[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The SIMD kernel, or null where WebAssembly SIMD is not available (then JavaScript is used). */
export function loadMahalanobisWasm(): MahalanobisWasm | null {
  if (!enabled) return null;
  if (cached !== undefined) return cached;
  cached = null;
  const wasmApi = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!wasmApi) return cached;
  const bytes = assemble();
  if (!wasmApi.validate(bytes)) return cached;
  const memory = new wasmApi.Memory({ initial: 1 });
  const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } });
  const pairFn = instance.exports.pair as (
    p: number,
    a: number,
    b: number,
    d: number,
    limitA: number,
    limitB: number,
    out: number,
    mu: number,
    xa: number,
    xb: number,
  ) => void;
  let view = new Float64Array(memory.buffer);
  let dp = 0;
  let d = 0;
  // Float64 offsets of the regions (see the module comment).
  let aAt = 0;
  let bAt = 0;
  let xaAt = 0;
  let xbAt = 0;
  let meansAt = 0;
  let factorsAt = 0;
  let loadedMeans: readonly Float64Array[] = [];
  let loadedFactors: readonly Float64Array[] = [];
  cached = {
    load(means, factors, dim) {
      // Scoring one recording at a time reloads the same Gaussians: skip the copy then. (Prepared
      // Gaussians are never modified, so the same arrays mean the same contents.)
      if (dim === d && sameArrays(means, loadedMeans) && sameArrays(factors, loadedFactors)) return;
      loadedMeans = [...means];
      loadedFactors = [...factors];
      d = dim;
      dp = Math.ceil(dim / 4) * 4;
      aAt = 2;
      bAt = aAt + dp;
      xaAt = bAt + dp;
      xbAt = xaAt + dp;
      meansAt = xbAt + dp;
      factorsAt = meansAt + means.length * dp;
      const doubles = factorsAt + factors.length * dp * dp;
      const needPages = Math.ceil((doubles * 8) / 65536);
      const havePages = memory.buffer.byteLength / 65536;
      if (needPages > havePages) memory.grow(needPages - havePages);
      view = new Float64Array(memory.buffer);
      view.fill(0, 0, doubles);
      means.forEach((mu, k) => view.set(mu.subarray(0, dim), meansAt + k * dp));
      factors.forEach((f, k) => {
        const base = factorsAt + k * dp * dp;
        for (let i = 0; i < dim; i++) view.set(f.subarray(i * dim, (i + 1) * dim), base + i * dp);
      });
    },
    setPoints(x, ao, bo) {
      for (let j = 0; j < d; j++) {
        view[xaAt + j] = x[ao + j]!;
        view[xbAt + j] = x[bo + j]!;
      }
    },
    pair(k, limitA, limitB, m) {
      pairFn(
        (factorsAt + k * dp * dp) * 8,
        aAt * 8,
        bAt * 8,
        dp,
        limitA,
        limitB,
        0,
        (meansAt + k * dp) * 8,
        xaAt * 8,
        xbAt * 8,
      );
      m[0] = view[0]!;
      m[1] = view[1]!;
    },
  };
  return cached;
}
