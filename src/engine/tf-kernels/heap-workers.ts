/**
 * Our kernels (BatchNorm sums and affine passes, element-wise passes, the max-pool gradient, the
 * filter gradient and the copies around it) on every wasm thread, not just the main one. With
 * multi-threaded wasm the heap is a SharedArrayBuffer, so worker threads can read and write
 * tensors in place; XNNPack's own threads only help its convolutions. Most kernels are our
 * WebAssembly SIMD module (assembly/), instantiated on every thread over the same memory; the
 * rest, and channel counts the SIMD kernels do not take, are JavaScript.
 *
 * Work is cut into a fixed number of chunks (CHUNKS) whatever the thread count; reductions write
 * one float64 partial per chunk and the caller adds them in chunk order, so results are the same
 * bit for bit on 1, 2 or 4 threads. The main thread takes its share of chunks and then waits
 * (Atomics.wait) for the workers; dispatch costs tens of microseconds, so small tensors run on the
 * main thread alone.
 *
 * `runChunks` holds every kernel body and is self-contained: the workers run its source text.
 */
import { Worker } from 'node:worker_threads';
import { kernelsWasm } from './wasm-kernel-binaries.generated.ts';

/** A WebAssembly.Memory (Node's types lack the WebAssembly namespace's classes). */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}

/** Chunks per task: fixed, so that reductions do not depend on the thread count. */
export const CHUNKS = 8;
/** Below this many values a task runs on the main thread only. */
const PARALLEL_MIN_VALUES = 1 << 16;

export const TASK = { channelSums: 1, affine2: 2, elementwise: 3, maxPoolGrad: 4, im2colT: 5, padNhwc: 6, filterGrad: 7, affine: 8, interleave: 9 } as const;
/** The element-wise kernels of TASK.elementwise (its first parameter). */
export const ELEMENTWISE = { leakyReluGrad: 0, add: 1, leakyRelu: 2 } as const;

function chunkChannelSums(
  heap: ArrayBufferLike,
  p: Float64Array,
  partials: Float64Array,
  chunk: number,
  chunks: number,
): void {
  const f32 = (byteOffset: number, length: number): Float32Array =>
    new Float32Array(heap, byteOffset, length);
  // Per-channel Σa and Σa·b over rows of [rows, C]: partials[chunk·2C + c], [chunk·2C + C + c].
  // Sizes as int32 (| 0): float64 indices make V8's typed-array accesses 1.4× slower.
  const rows = p[2]! | 0;
  const C = p[3]! | 0;
  const r0 = Math.floor((chunk * rows) / chunks);
  const r1 = Math.floor(((chunk + 1) * rows) / chunks);
  const scratch = p[4]! | 0;
  if (scratch > 0) {
    // Our SIMD kernel, into this chunk's float64 sums in the heap (8-byte aligned scratch).
    const at = scratch + chunk * 16 * C;
    const sums = new Float64Array(heap, at, 2 * C);
    sums.fill(0);
    (globalThis as unknown as { __auscultWasm: WasmKernels }).__auscultWasm.channelSums(p[0]!, p[1]!, r0, r1, C, at);
    partials.set(sums, chunk * 2 * C);
    return;
  }
  const a = f32(p[0]!, rows * C);
  const b = f32(p[1]!, rows * C);
  const base = chunk * 2 * C;
  for (let c = 0; c < 2 * C; c++) partials[base + c] = 0;
  const block = Math.max(1, Math.floor(4096 / C));
  const quads = C % 4 === 0 ? C : 0;
  for (let rb = r0; rb < r1; rb += block) {
    const end = Math.min(r1, rb + block) * C;
    for (let c = 0; c < quads; c += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0; // prettier-ignore
      for (let i = rb * C + c; i < end; i += C) {
        const v0 = a[i]!, v1 = a[i + 1]!, v2 = a[i + 2]!, v3 = a[i + 3]!; // prettier-ignore
        s0 += v0;
        s1 += v1;
        s2 += v2;
        s3 += v3; // prettier-ignore
        q0 += v0 * b[i]!;
        q1 += v1 * b[i + 1]!;
        q2 += v2 * b[i + 2]!;
        q3 += v3 * b[i + 3]!; // prettier-ignore
      }
      partials[base + c]! += s0;
      partials[base + c + 1]! += s1;
      partials[base + c + 2]! += s2;
      partials[base + c + 3]! += s3; // prettier-ignore
      partials[base + C + c]! += q0;
      partials[base + C + c + 1]! += q1;
      partials[base + C + c + 2]! += q2;
      partials[base + C + c + 3]! += q3; // prettier-ignore
    }
    for (let c = quads; c < C; c++) {
      let s = 0;
      let q = 0;
      for (let i = rb * C + c; i < end; i += C) {
        const v = a[i]!;
        s += v;
        q += v * b[i]!;
      }
      partials[base + c]! += s;
      partials[base + C + c]! += q;
    }
  }
}
function chunkAffine2(
  heap: ArrayBufferLike,
  p: Float64Array,
  _partials: Float64Array,
  chunk: number,
  chunks: number,
): void {
  const f32 = (byteOffset: number, length: number): Float32Array =>
    new Float32Array(heap, byteOffset, length);
  // out = x·a + y·k + b per channel over rows of [rows, C]; a, k, b are float32 [C] in the heap.
  const rows = p[6]! | 0;
  const C = p[7]! | 0;
  const r0 = Math.floor((chunk * rows) / chunks);
  const r1 = Math.floor(((chunk + 1) * rows) / chunks);
  if (C % 4 === 0) {
    (globalThis as unknown as { __auscultWasm: WasmKernels }).__auscultWasm.affine2(p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, r0, r1, C);
    return;
  }
  const out = f32(p[0]!, rows * C);
  const x = f32(p[1]!, rows * C);
  const y = f32(p[2]!, rows * C);
  const a = f32(p[3]!, C);
  const k = f32(p[4]!, C);
  const b = f32(p[5]!, C);
  let i = r0 * C;
  for (let r = r0; r < r1; r++)
    for (let c = 0; c < C; c++, i++) out[i] = x[i]! * a[c]! + y[i]! * k[c]! + b[c]!;
}
function chunkAffine(
  _heap: ArrayBufferLike,
  p: Float64Array,
  _partials: Float64Array,
  chunk: number,
  chunks: number,
): void {
  // out = x·a + b per channel over rows of [rows, C] (C a multiple of 4); a, b float32 [C].
  const rows = p[4]! | 0;
  const r0 = Math.floor((chunk * rows) / chunks);
  const r1 = Math.floor(((chunk + 1) * rows) / chunks);
  (globalThis as unknown as { __auscultWasm: WasmKernels }).__auscultWasm.affine(p[0]!, p[1]!, p[2]!, p[3]!, r0, r1, p[5]! | 0);
}
function chunkElementwise(
  _heap: ArrayBufferLike,
  p: Float64Array,
  _partials: Float64Array,
  chunk: number,
  chunks: number,
): void {
  // One of our SIMD element-wise kernels over n values: p = [op, n, out, a, b, α] (ELEMENTWISE).
  const n = p[1]! | 0;
  const i0 = Math.floor((chunk * n) / chunks);
  const i1 = Math.floor(((chunk + 1) * n) / chunks);
  const wasm = (globalThis as unknown as { __auscultWasm: WasmKernels }).__auscultWasm;
  const op = p[0]! | 0;
  if (op === 1) wasm.add(p[2]!, p[3]!, p[4]!, i0, i1);
  else if (op === 2) wasm.leakyRelu(p[2]!, p[3]!, i0, i1, p[5]!);
  else wasm.leakyReluGrad(p[2]!, p[3]!, p[4]!, i0, i1, p[5]!);
}
function chunkMaxPoolGrad(
  heap: ArrayBufferLike,
  p: Float64Array,
  _partials: Float64Array,
  chunk: number,
  chunks: number,
): void {
  const f32 = (byteOffset: number, length: number): Float32Array =>
    new Float32Array(heap, byteOffset, length);
  // Max-pool gradient for images [b0, b1): dy [B,OH,OW,C] onto the first maximum of each
  // window of x [B,H,W,C]; dx (zeroed here) has x's shape. Images never share dx values.
  const [dxOff, dyOff, xOff] = [p[0]!, p[1]!, p[2]!];
  const [B, H, W, C, OH, OW, sh, sw, fh, fw, pt, pl] = Array.from(p.subarray(3, 15), (v) => v | 0);
  const b0 = Math.floor((chunk * B!) / chunks);
  const b1 = Math.floor(((chunk + 1) * B!) / chunks);
  if (C! % 4 === 0) {
    // Our SIMD kernel (same rule: the first maximum in window order takes the gradient).
    const wasm = (globalThis as unknown as { __auscultWasm: WasmKernels }).__auscultWasm;
    wasm.maxPoolGrad(dxOff!, dyOff!, xOff!, b0, b1, H!, W!, C!, OH!, OW!, sh!, sw!, fh!, fw!, pt!, pl!);
    return;
  }
  const xs = f32(xOff!, B! * H! * W! * C!);
  const dx = f32(dxOff!, B! * H! * W! * C!);
  const gs = f32(dyOff!, B! * OH! * OW! * C!);
  dx.fill(0, b0 * H! * W! * C!, b1 * H! * W! * C!);
  for (let b = b0; b < b1; b++) {
    for (let oh = 0; oh < OH!; oh++) {
      const i0 = Math.max(0, oh * sh! - pt!);
      const i1 = Math.min(H!, oh * sh! - pt! + fh!);
      for (let ow = 0; ow < OW!; ow++) {
        const j0 = Math.max(0, ow * sw! - pl!);
        const j1 = Math.min(W!, ow * sw! - pl! + fw!);
        const g = ((b * OH! + oh) * OW! + ow) * C!;
        // One channel at a time with the running maximum in registers: faster here than all
        // channels innermost with the maxima in arrays (measured 151 vs 187 ms for the stem).
        for (let c = 0; c < C!; c++) {
          let best = -Infinity;
          let where = -1;
          for (let i = i0; i < i1; i++) {
            for (let j = j0; j < j1; j++) {
              const k = ((b * H! + i) * W! + j) * C! + c;
              const v = xs[k]!;
              if (v > best) {
                best = v;
                where = k;
              }
            }
          }
          if (where >= 0) dx[where] += gs[g + c]!;
        }
      }
    }
  }
}
function chunkIm2colT(
  heap: ArrayBufferLike,
  p: Float64Array,
  _partials: Float64Array,
  chunk: number,
  chunks: number,
): void {
  // Transposed im2col for the filter gradient: from xT [Cin, H, W, N] (float offsets) build
  // cols [Cin·kh·kw, Ho·Wo·N], row (ci, a, b), column (i, j, n) = xT[ci, i·sh + a − pt,
  // j·sw + b − pl, n], zero outside the input. Chunks split the rows.
  const [colsAt, xAt, Cin, H, W, N, kh, kw, Ho, Wo, sh, sw, pt, pl] = Array.from(
    p.subarray(0, 14),
    (v) => v | 0,
  );
  const K = Cin! * kh! * kw!;
  const r0 = Math.floor((chunk * K) / chunks);
  const r1 = Math.floor(((chunk + 1) * K) / chunks);
  const heapF = new Float32Array(heap);
  const rowLen = Ho! * Wo! * N!;
  for (let r = r0; r < r1; r++) {
    const ci = Math.floor(r / (kh! * kw!));
    const a = Math.floor(r / kw!) % kh!;
    const b = r % kw!;
    // Columns j whose input column j·sw + b − pl lies inside [0, W).
    const jLo = Math.max(0, Math.ceil((pl! - b) / sw!));
    const jHi = Math.min(Wo!, Math.floor((W! - 1 + pl! - b) / sw!) + 1);
    for (let i = 0; i < Ho!; i++) {
      const dst = colsAt! + r * rowLen + i * Wo! * N!;
      const h = i * sh! + a - pt!;
      if (h < 0 || h >= H! || jHi <= jLo) {
        heapF.fill(0, dst, dst + Wo! * N!);
        continue;
      }
      heapF.fill(0, dst, dst + jLo * N!);
      heapF.fill(0, dst + jHi * N!, dst + Wo! * N!);
      const src = xAt! + ((ci * H! + h) * W! + (jLo * sw! + b - pl!)) * N!;
      if (sw === 1) {
        heapF.copyWithin(dst + jLo * N!, src, src + (jHi - jLo) * N!);
      } else {
        for (let j = jLo; j < jHi; j++) {
          const s0 = src + (j - jLo) * sw! * N!;
          heapF.copyWithin(dst + j * N!, s0, s0 + N!);
        }
      }
    }
  }
}

function chunkPadNhwc(
  heap: ArrayBufferLike,
  p: Float64Array,
  _partials: Float64Array,
  chunk: number,
  chunks: number,
): void {
  // dst [N, Hp, Wp, C] = src [N, H, W, C] placed at row pt, column pl, zeros around (and src
  // rows or columns beyond Hp / Wp left out). Chunks split the N·Hp destination rows.
  const [dstAt, srcAt, N, H, W, C, Hp, Wp, pt, pl] = Array.from(p.subarray(0, 10), (v) => v | 0);
  const rows = N! * Hp!;
  const r0 = Math.floor((chunk * rows) / chunks);
  const r1 = Math.floor(((chunk + 1) * rows) / chunks);
  const heapF = new Float32Array(heap);
  const rowLen = Wp! * C!;
  const copyCols = Math.max(0, Math.min(W!, Wp! - pl!));
  for (let r = r0; r < r1; r++) {
    const n = Math.floor(r / Hp!);
    const h = (r % Hp!) - pt!;
    const dst = dstAt! + r * rowLen;
    if (h < 0 || h >= H! || copyCols === 0) {
      heapF.fill(0, dst, dst + rowLen);
      continue;
    }
    heapF.fill(0, dst, dst + pl! * C!);
    const src = srcAt! + (n * H! + h) * W! * C!;
    heapF.copyWithin(dst + pl! * C!, src, src + copyCols * C!);
    heapF.fill(0, dst + (pl! + copyCols) * C!, dst + rowLen);
  }
}

function chunkFilterGrad(
  _heap: ArrayBufferLike,
  p: Float64Array,
  _partials: Float64Array,
  chunk: number,
  chunks: number,
): void {
  // dW [kh, kw, Cin, Cout] of a convolution from the zero-padded input xp [N, Hp, Wp, Cin] and
  // dy [N, Ho, Wo, Cout], by our WebAssembly micro-kernel (assembly/filter-grad.ts). The work
  // items are tiles of 4 input channels of one tap (Cin = 1: 4 taps of one filter row) × a range
  // of output channels; chunks take contiguous runs of items and sweep the pixels in blocks of
  // `blockRows` output rows, so each output is summed in pixel order on whichever thread.
  const { dwTile } = (globalThis as unknown as { __auscultWasm: WasmKernels }).__auscultWasm;
  const [xpAt, dyAt, outAt, N, Ho, Wo, Cin, Cout, kh, kw, sh, sw, Hp, Wp, blockRows, coGroup] = Array.from(
    p.subarray(0, 16),
    (v) => v | 0,
  );
  const tapTiles = Cin === 1 ? kh! * Math.ceil(kw! / 4) : kh! * kw! * (Cin! / 4);
  const coGroups = Cout! / coGroup!;
  const items = tapTiles * coGroups;
  const i0 = Math.floor((chunk * items) / chunks);
  const i1 = Math.floor(((chunk + 1) * items) / chunks);
  const rows = N! * Ho!;
  const xImage = Hp! * Wp! * Cin!;
  const xRow = sh! * Wp! * Cin!;
  const xCol = sw! * Cin!;
  for (let r0 = 0; r0 < rows; r0 += blockRows!) {
    const r1 = Math.min(rows, r0 + blockRows!);
    for (let item = i0; item < i1; item++) {
      const tile = Math.floor(item / coGroups);
      const co0 = (item % coGroups) * coGroup!;
      let xOff: number;
      let outOff: number;
      let lanes = 4;
      if (Cin === 1) {
        const perRow = Math.ceil(kw! / 4);
        const a = Math.floor(tile / perRow);
        const b0 = (tile % perRow) * 4;
        xOff = a * Wp! + b0;
        outOff = (a * kw! + b0) * Cout!;
        lanes = Math.min(4, kw! - b0);
      } else {
        const perTap = Cin! / 4;
        const tap = Math.floor(tile / perTap);
        const ci0 = (tile % perTap) * 4;
        const a = Math.floor(tap / kw!);
        const b = tap % kw!;
        xOff = (a * Wp! + b) * Cin! + ci0;
        outOff = ((a * kw! + b) * Cin! + ci0) * Cout!;
      }
      dwTile(
        (xpAt! + xOff) * 4,
        (dyAt! + co0) * 4,
        (outAt! + outOff + co0) * 4,
        r0,
        r1,
        Ho!,
        Wo!,
        xImage,
        xRow,
        xCol,
        Cout!,
        coGroup!,
        Cout!,
        lanes,
        r0 > 0 ? 1 : 0,
      );
    }
  }
}

function chunkInterleave(
  heap: ArrayBufferLike,
  p: Float64Array,
  _partials: Float64Array,
  chunk: number,
  chunks: number,
): void {
  // One phase of a strided input gradient: dx [N, H, W, C] at rows ph + sh·u, columns pw + sw·v
  // (u < rows, v < cols) = part [N, rows, cols, C], or zeros when `copy` is 0. Chunks split the
  // N·rows phase rows.
  const [dxAt, partAt, N, H, W, C, ph, pw, sh, sw, rows, cols, copy] = Array.from(p.subarray(0, 13), (v) => v | 0);
  const total = N! * rows!;
  const r0 = Math.floor((chunk * total) / chunks);
  const r1 = Math.floor(((chunk + 1) * total) / chunks);
  const heapF = new Float32Array(heap);
  for (let r = r0; r < r1; r++) {
    const n = Math.floor(r / rows!);
    const u = r % rows!;
    const rowAt = dxAt! + ((n * H! + ph! + sh! * u) * W! + pw!) * C!;
    const step = sw! * C!;
    if (copy) {
      const src = partAt! + r * cols! * C!;
      for (let v = 0; v < cols!; v++) heapF.copyWithin(rowAt + v * step, src + v * C!, src + (v + 1) * C!);
    } else {
      for (let v = 0; v < cols!; v++) heapF.fill(0, rowAt + v * step, rowAt + v * step + C!);
    }
  }
}

/**
 * Runs chunks [c0, c1) of task `task` over the heap. `p` holds the task's parameters (byte
 * offsets of tensors in the heap, sizes); reductions write partials into `partials`
 * (chunk · stride). Each chunk covers rows [⌊c·rows/CHUNKS⌋, ⌊(c+1)·rows/CHUNKS⌋). One small
 * function per task (one large function with every kernel ran them 1.4× slower in V8).
 */
export function runChunks(
  heap: ArrayBufferLike,
  task: number,
  p: Float64Array,
  partials: Float64Array,
  c0: number,
  c1: number,
  chunks: number,
): void {
  const kernel = [
    undefined,
    chunkChannelSums,
    chunkAffine2,
    chunkElementwise,
    chunkMaxPoolGrad,
    chunkIm2colT,
    chunkPadNhwc,
    chunkFilterGrad,
    chunkAffine,
    chunkInterleave,
  ][task];
  if (!kernel) throw new Error(`heap workers: unknown task ${task}`);
  for (let chunk = c0; chunk < c1; chunk++) kernel(heap, p, partials, chunk, chunks);
}

/** Every chunk kernel, for the workers' source (each is self-contained). */
const CHUNK_KERNELS = [chunkChannelSums, chunkAffine2, chunkElementwise, chunkMaxPoolGrad, chunkIm2colT, chunkPadNhwc, chunkFilterGrad, chunkAffine, chunkInterleave];

/** Worker loop: wait for a task on the control words, run its chunks, report done. */
function workerMain(
  runChunksFn: typeof runChunks,
  data: {
    memory: WasmMemory;
    control: SharedArrayBuffer;
    params: SharedArrayBuffer;
    partials: SharedArrayBuffer;
    index: number;
    threads: number;
  },
): void {
  const ctl = new Int32Array(data.control);
  const p = new Float64Array(data.params);
  const partials = new Float64Array(data.partials);
  // ctl[0]: generation (bumped per task); ctl[1]: task id; ctl[2]: workers still running;
  // ctl[3]: chunks of this task.
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, 0, seen);
    seen = Atomics.load(ctl, 0);
    const task = Atomics.load(ctl, 1);
    if (task < 0) return;
    // ctl[3]: this task's chunk count (CHUNKS unless the task adds nothing up across chunks).
    const chunks = Atomics.load(ctl, 3);
    // Chunks are dealt round-robin: thread t (main = 0) takes t, t + threads, ….
    for (let c = data.index; c < chunks; c += data.threads)
      runChunksFn(data.memory.buffer, task, p, partials, c, c + 1, chunks);
    if (Atomics.sub(ctl, 2, 1) === 1) Atomics.notify(ctl, 2);
  }
}

export interface HeapWorkerPool {
  readonly threads: number;
  /**
   * Runs a task over all chunks; returns the partials array (CHUNKS · stride values valid).
   * `chunks` (default CHUNKS) may differ only for tasks whose chunks write disjoint outputs and
   * add nothing up across chunks, whose results cannot depend on how the work is cut.
   */
  run(task: number, params: number[], values: number, chunks?: number): Float64Array;
}

/** Partials room: CHUNKS × 2 × 4096 channels (CHANNEL_SUMS_MAX). */
const PARTIALS = CHUNKS * 2 * 4096;

/** The WebAssembly global (Node's types lack it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Our compiled WebAssembly kernels for `memory` (shared or plain: the import must match). */
function kernelModule(memory: WasmMemory): object {
  const shared = memory.buffer instanceof SharedArrayBuffer;
  return new Wasm.Module(Buffer.from(shared ? kernelsWasm.shared : kernelsWasm.plain, 'base64'));
}

/** Instantiates the kernels on this thread over `memory` and installs them where chunk kernels find them. */
function installKernels(wasm: WasmApi, module: object, memory: WasmMemory): () => void {
  const { exports } = new wasm.Instance(module, { env: { memory } });
  return () => {
    (globalThis as unknown as { __auscultWasm: unknown }).__auscultWasm = exports;
  };
}

/** Our WebAssembly kernels as the chunk kernels see them (assembly/index.ts). */
interface WasmKernels {
  dwTile(...args: number[]): void;
  channelSums(a: number, b: number, r0: number, r1: number, C: number, sums: number): void;
  affine(out: number, x: number, a: number, b: number, r0: number, r1: number, C: number): void;
  affine2(out: number, x: number, y: number, a: number, k: number, b: number, r0: number, r1: number, C: number): void;
  leakyReluGrad(dx: number, dy: number, x: number, i0: number, i1: number, alpha: number): void;
  maxPoolGrad(...args: number[]): void;
  add(out: number, a: number, b: number, i0: number, i1: number): void;
  leakyRelu(out: number, x: number, i0: number, i1: number, alpha: number): void;
}

/** Runs every chunk on the calling thread (single-threaded wasm, or no shared heap). */
export function serialPool(memory: WasmMemory): HeapWorkerPool {
  const partials = new Float64Array(PARTIALS);
  const p = new Float64Array(32);
  const install = installKernels(Wasm, kernelModule(memory), memory);
  return {
    threads: 1,
    run(task, params, _values, chunks = CHUNKS) {
      p.set(params);
      install();
      runChunks(memory.buffer, task, p, partials, 0, chunks, chunks);
      return partials;
    },
  };
}

/**
 * A pool of `threads − 1` workers sharing the wasm `memory` (which must be shared), plus the
 * calling thread. Workers are unref'd: they never keep the process alive.
 */
export function heapWorkerPool(memory: WasmMemory, threads: number): HeapWorkerPool {
  if (threads < 2 || !(memory.buffer instanceof SharedArrayBuffer)) return serialPool(memory);
  const control = new SharedArrayBuffer(16);
  const params = new SharedArrayBuffer(32 * 8);
  const partialsBuf = new SharedArrayBuffer(PARTIALS * 8);
  const ctl = new Int32Array(control);
  const p = new Float64Array(params);
  const partials = new Float64Array(partialsBuf);
  const module = kernelModule(memory);
  const install = installKernels(Wasm, module, memory);
  // __name: the helper esbuild (tsx, electron-vite) may insert to keep function names.
  const source = `const { workerData } = require('node:worker_threads');
var __name = (f) => f;
${CHUNK_KERNELS.map((f) => f.toString()).join('\n')}
const runChunks = ${runChunks.toString()};
(${installKernels.toString()})(WebAssembly, workerData.kernels, workerData.memory)();
(${workerMain.toString()})(runChunks, workerData);`;
  const workers = Array.from({ length: threads - 1 }, (_, i) => {
    const w = new Worker(source, {
      eval: true,
      workerData: { memory, kernels: module, control, params, partials: partialsBuf, index: i + 1, threads },
    });
    w.unref();
    return w;
  });
  return {
    threads,
    run(task, values, count, chunks = CHUNKS) {
      p.set(values);
      install();
      if (count < PARALLEL_MIN_VALUES) {
        runChunks(memory.buffer, task, p, partials, 0, chunks, chunks);
        return partials;
      }
      Atomics.store(ctl, 1, task);
      Atomics.store(ctl, 2, workers.length);
      Atomics.store(ctl, 3, chunks);
      Atomics.add(ctl, 0, 1);
      Atomics.notify(ctl, 0);
      for (let c = 0; c < chunks; c += threads) runChunks(memory.buffer, task, p, partials, c, c + 1, chunks);
      for (let left = Atomics.load(ctl, 2); left !== 0; left = Atomics.load(ctl, 2))
        Atomics.wait(ctl, 2, left);
      return partials;
    },
  };
}

/** The parts of tfjs-backend-wasm's backend object the pool needs. */
interface WasmModuleLike {
  wasm: {
    wasmMemory?: WasmMemory;
    asm?: { memory?: WasmMemory };
    wasmExports?: { memory?: WasmMemory };
    tfjs?: { getThreadsCount?: () => number };
  };
}

const pools = new WeakMap<object, HeapWorkerPool>();

/** The pool of the wasm backend `backend` (created on first use, one per backend instance). */
export function poolFor(backend: unknown): HeapWorkerPool {
  const key = backend as object;
  let pool = pools.get(key);
  if (!pool) {
    const { wasm } = backend as WasmModuleLike;
    const threads = wasm.tfjs?.getThreadsCount?.() ?? 1;
    // Threaded builds import a shared memory; the single-threaded build exports its own.
    const memory = wasm.wasmMemory ?? wasm.asm?.memory ?? wasm.wasmExports?.memory;
    if (!memory) throw new Error('heap workers: the wasm backend exposes no memory');
    pool = threads > 1 ? heapWorkerPool(memory, threads) : serialPool(memory);
    pools.set(key, pool);
  }
  return pool;
}

/** The parts of the wasm backend channelSums needs. */
interface TensorHeap {
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[] };
  typedArrayFromHeap(info: { dataId: object; shape: number[] }): Float32Array;
  disposeData(dataId: object): void;
}

/** Most channels channelSums takes (the pool's partials room). */
export const CHANNEL_SUMS_MAX = 4096;

/**
 * Per-channel Σa and Σa·b of row-major [rows, C] tensors in the heap (b = a gives Σa²), in
 * float64, on every thread: our SIMD kernel when C is a multiple of 4, scalar JavaScript else.
 * Chunk partials are added in chunk order: the same sums on any thread count.
 */
export function channelSums<T extends { dataId: object; shape: number[] }>(backend: unknown, a: T, b: T, rows: number, C: number): [Float64Array, Float64Array] {
  if (C > CHANNEL_SUMS_MAX) throw new Error(`channelSums: ${C} channels, at most ${CHANNEL_SUMS_MAX}`);
  const be = backend as TensorHeap;
  // Room in the heap for each chunk's float64 sums, which our SIMD kernel writes there (C a
  // multiple of 4; else the scalar kernel writes the partials directly).
  const scratch = C % 4 === 0 ? be.makeOutput([CHUNKS * 4 * C], 'float32') : undefined;
  const at = (t: { dataId: object; shape: number[] }) => be.typedArrayFromHeap(t).byteOffset;
  const partials = poolFor(backend).run(TASK.channelSums, [at(a), at(b), rows, C, scratch ? at(scratch) : 0], rows * C);
  if (scratch) be.disposeData(scratch.dataId);
  const sumA = new Float64Array(C);
  const sumAB = new Float64Array(C);
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const base = chunk * 2 * C;
    for (let c = 0; c < C; c++) {
      sumA[c]! += partials[base + c]!;
      sumAB[c]! += partials[base + C + c]!;
    }
  }
  return [sumA, sumAB];
}
