/**
 * Convolution gradients for the wasm backend, built from its fast (XNNPack) Conv2D kernel.
 *
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all, and its Conv2DBackpropInput is a
 * naive loop. Both gradients are convolutions in disguise, so we rewrite them as one:
 * - filter gradient: a Conv2D whose "batch" is the input's channels, whose "channels" are the
 *   batch, whose filter is `dy` and whose dilation is the forward stride;
 * - input gradient: zero-insertion of `dy` (for stride > 1) and a Conv2D with the spatially
 *   flipped, in/out-transposed filter.
 * Kernels here compose other wasm kernels at the backend level (no tfjs ops inside a kernel), and
 * free their intermediates with `backend.disposeData`.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { poolFor, TASK } from './heap-workers.ts';

type Tf = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;
type KernelBackend = tfjs.KernelBackend;
type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | Pad4;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

interface Conv2DBackpropInputAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | Pad4;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/** Runs another kernel of the same backend on tensor infos. */
function runner(tf: Tf, backend: KernelBackend) {
  const name = tf.getBackend();
  return (kernelName: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo => {
    const kernel = tf.getKernel(kernelName, name);
    if (!kernel) throw new Error(`wasm-conv-grad: kernel ${kernelName} is not registered for backend ${name}`);
    return kernel.kernelFunc({ inputs, backend, attrs: attrs as tfjs.NamedAttrMap }) as TensorInfo;
  };
}

type FilterGradArgs = { inputs: { x: TensorInfo; dy: TensorInfo }; backend: KernelBackend; attrs: Conv2DBackpropFilterAttrs };

/** The convolution a filter gradient belongs to (NHWC only). */
function filterGradConv(tf: Tf, args: FilterGradArgs): { x: TensorInfo; dy: TensorInfo; info: tfjs.backend_util.Conv2DInfo } {
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  return { x, dy, info };
}

/**
 * dW[a,b,ci,co] = Σ_{n,i,j} x[n, i·sh + a − pt, j·sw + b − pl, ci] · dy[n,i,j,co], computed as
 * Conv2D(xᵀ [Cin,H,W,N], dyᵀ [Ho,Wo,N,Cout], dilation = stride) → [Cin,kh,kw,Cout] → [kh,kw,Cin,Cout].
 */
export function conv2DBackpropFilterViaConv(
  tf: Tf,
  args: FilterGradArgs,
): TensorInfo {
  const { x, dy, info } = filterGradConv(tf, args);
  const { dimRoundingMode } = args.attrs;
  const run = runner(tf, args.backend);
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // Padding after the data so that the dilated "filter" dy sweeps exactly kh×kw positions.
  const pbWanted = kh + (info.outHeight - 1) * sh - info.inHeight - pt;
  const prWanted = kw + (info.outWidth - 1) * sw - info.inWidth - pl;
  const xT = run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const conv = run(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [pt, Math.max(0, pbWanted)],
        [pl, Math.max(0, prWanted)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [sh, sw],
      dimRoundingMode,
    },
  );
  args.backend.disposeData(xT.dataId);
  args.backend.disposeData(dyT.dataId);
  let cropped = conv;
  if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
    // Only when the forward padding left input rows unused (VALID with a remainder).
    cropped = run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [-1, kh, kw, -1] });
    args.backend.disposeData(conv.dataId);
  }
  const out = run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
  args.backend.disposeData(cropped.dataId);
  return out;
}

/** The parts of tfjs-backend-wasm's BackendWasm the GEMM filter gradient uses. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tfjs.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

/**
 * dW as one GEMM over a transposed im2col (wasm only): with xT = x transposed to [Cin, H, W, N]
 * and dyT = dy transposed to [Ho, Wo, N, Cout] (P = Ho·Wo·N rows),
 * dW[(ci, a, b), co] = Σ_p cols[(ci, a, b), p] · dyT[p, co], cols[(ci, a, b), (i, j, n)] =
 * xT[ci, i·sh + a − pt, j·sw + b − pl, n]. Each cols row is built from contiguous runs of xT
 * (whole output rows when the stride is 1) by our heap workers (on every wasm thread), and the
 * product is XNNPack's GEMM (BatchMatMul). The dilated convolution with `dy` as its filter
 * (conv2DBackpropFilterViaConv) repacks the whole of dy on one thread every step; this form costs
 * 7 % less CPU on 1 thread (the network's layers, batch 64) and its copies run in parallel. cols
 * holds kh·kw copies of x (≤ 130 MB at batch 64) while the kernel runs.
 */
export function conv2DBackpropFilterViaGemm(
  tf: Tf,
  args: FilterGradArgs,
): TensorInfo {
  const { x, dy, info } = filterGradConv(tf, args);
  const run = runner(tf, args.backend);
  const dispose = (t: TensorInfo) => args.backend.disposeData(t.dataId);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight: H, inWidth: W, inChannels: cin, outChannels: cout } = info;
  const [n, ho, wo] = dy.shape as [number, number, number, number];
  const P = ho * wo * n;
  const K = cin * kh * kw;
  const be = args.backend as unknown as WasmBackendLike;
  const xT = run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const cols = be.makeOutput([1, K, P], 'float32');
  const floatAt = (t: TensorInfo) => be.typedArrayFromHeap(t).byteOffset / 4;
  poolFor(args.backend).run(TASK.im2colT, [floatAt(cols), floatAt(xT), cin, H, W, n, kh, kw, ho, wo, sh, sw, info.padInfo.top, info.padInfo.left], K * P);
  dispose(xT);
  const dy3 = run('Reshape', { x: dyT }, { shape: [1, P, cout] });
  dispose(dyT);
  const product = run('BatchMatMul', { a: cols, b: dy3 }, { transposeA: false, transposeB: false });
  dispose(cols);
  dispose(dy3);
  const dW4 = run('Reshape', { x: product }, { shape: [cin, kh, kw, cout] });
  dispose(product);
  const out = run('Transpose', { x: dW4 }, { perm: [1, 2, 0, 3] });
  dispose(dW4);
  return out;
}

/** Output rows per pixel block of the direct filter gradient: ≈ 64 KB of dy (stays in cache). */
const DIRECT_BLOCK_DY_FLOATS = 16384;

/** Whether conv2DBackpropFilterDirect handles these channel counts (else the GEMM form runs). */
export function directFilterGradSupports(cin: number, cout: number): boolean {
  return (cin === 1 || cin % 4 === 0) && cout % 8 === 0;
}

/**
 * dW by our WebAssembly SIMD micro-kernel (assembly/filter-grad.ts) on every heap-worker thread:
 * dW[a, b, ci, co] = Σ_{n,i,j} xp[n, i·sh + a, j·sw + b, ci] · dy[n, i, j, co] over a zero-padded
 * copy xp of x, read in place — no transposes, no im2col and no weight packing (XNNPack packs its
 * GEMM's "weights", here dy, on one thread at every call: as long as the GEMM itself for the
 * first layers). Each output is summed over pixels in a fixed order (blocks of whole output
 * rows), so the result does not depend on the thread count.
 */
export function conv2DBackpropFilterDirect(
  tf: Tf,
  args: FilterGradArgs,
): TensorInfo {
  const { x, dy, info } = filterGradConv(tf, args);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight: H, inWidth: W, inChannels: cin, outChannels: cout } = info;
  if (!directFilterGradSupports(cin, cout)) return conv2DBackpropFilterViaGemm(tf, args);
  const [n, ho, wo] = dy.shape as [number, number, number, number];
  const be = args.backend as unknown as WasmBackendLike;
  const pool = poolFor(args.backend);
  const floatAt = (t: TensorInfo) => be.typedArrayFromHeap(t).byteOffset / 4;
  // Padded so that every tap of every output pixel reads inside xp; with one input channel the
  // kernel reads taps 4 at a time, up to 3 past the filter's width.
  const hp = (ho - 1) * sh + kh;
  const wp = (wo - 1) * sw + (cin === 1 ? 4 * Math.ceil(kw / 4) : kw);
  const xp = be.makeOutput([n, hp, wp, cin], 'float32');
  pool.run(TASK.padNhwc, [floatAt(xp), floatAt(x), n, H, W, cin, hp, wp, info.padInfo.top, info.padInfo.left], n * hp * wp * cin);
  const out = be.makeOutput([kh, kw, cin, cout], 'float32');
  const blockRows = Math.max(1, Math.floor(DIRECT_BLOCK_DY_FLOATS / (cout * wo)));
  // Few tap tiles (the one-channel stem's 14): split output channels too, so that the items
  // divide evenly between threads.
  const tapTiles = cin === 1 ? kh * Math.ceil(kw / 4) : kh * kw * (cin / 4);
  const coGroup = tapTiles < 32 ? 8 : cout;
  // Items write disjoint parts of dW: one run of items per thread, each sweeping dy and x once
  // (the result cannot depend on the cut).
  pool.run(TASK.filterGrad, [floatAt(xp), floatAt(dy), floatAt(out), n, ho, wo, cin, cout, kh, kw, sh, sw, hp, wp, blockRows, coGroup], n * ho * wo * cout * kh * kw, pool.threads);
  args.backend.disposeData(xp.dataId);
  return out;
}

/**
 * dx = Conv2D(zero-inserted dy, flip₍h,w₎(W) with in/out swapped), padded so the output is the
 * forward input's size.
 */
export function conv2DBackpropInputViaConv(
  tf: Tf,
  args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: KernelBackend; attrs: Conv2DBackpropInputAttrs },
): TensorInfo {
  const { dy, filter } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropInput supports NHWC only');
  const run = runner(tf, args.backend);
  const dispose = (t: TensorInfo) => args.backend.disposeData(t.dataId);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [n, ho, wo, cout] = dy.shape as [number, number, number, number];
  // Phases need the wasm heap (our heap workers interleave them); elsewhere zero insertion.
  const onWasmHeap = (args.backend as { wasm?: unknown }).wasm !== undefined;
  if (onWasmHeap && (sh > 1 || sw > 1) && kh >= sh && kw >= sw) {
    return backpropInputPolyphase(run, dispose, args.backend, dy, filter, info);
  }

  let dyUp = dy;
  if (sh > 1 || sw > 1) {
    // [N,Ho,1,Wo,1,C] padded to [N,Ho,sh,Wo,sw,C] = dy with sh−1 / sw−1 zeros after each element.
    const r6 = run('Reshape', { x: dy }, { shape: [n, ho, 1, wo, 1, cout] });
    const p6 = run(
      'PadV2',
      { x: r6 },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    dispose(r6);
    dyUp = run('Reshape', { x: p6 }, { shape: [n, ho * sh, wo * sw, cout] });
    dispose(p6);
  }
  let filterT: TensorInfo;
  if (onWasmHeap) {
    filterT = flippedTransposedTaps(args.backend as unknown as WasmBackendLike, filter, kw, 0, 0, 1, 1, kh, kw);
  } else {
    const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
    filterT = run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
    dispose(flipped);
  }

  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = info.inHeight + kh - 1 - top - dyUp.shape[1]!;
  const right = info.inWidth + kw - 1 - left - dyUp.shape[2]!;
  const conv = run(
    'Conv2D',
    { x: dyUp, filter: filterT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, Math.max(0, bottom)],
        [left, Math.max(0, right)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode,
    },
  );
  dispose(filterT);
  if (dyUp !== dy) dispose(dyUp);
  if (conv.shape[1] === info.inHeight && conv.shape[2] === info.inWidth) return conv;
  const cropped = run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [-1, info.inHeight, info.inWidth, -1] });
  dispose(conv);
  return cropped;
}

/**
 * Registers the two kernels for `backendName` (default wasm), replacing its own; returns a
 * function that restores the previous kernels. The kernels need no setup of their own, so this
 * works before or after the backend is initialised.
 */
export function registerConvGradKernels(tf: Tf, backendName = 'wasm'): () => void {
  const previous = ['Conv2DBackpropInput', 'Conv2DBackpropFilter'].map((k) => tf.getKernel(k, backendName));
  for (const p of previous) if (p) tf.unregisterKernel(p.kernelName, backendName);
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName,
    kernelFunc: (a) =>
      conv2DBackpropFilterViaConv(tf, a as unknown as Parameters<typeof conv2DBackpropFilterViaConv>[1]),
  });
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName,
    kernelFunc: (a) => conv2DBackpropInputViaConv(tf, a as unknown as Parameters<typeof conv2DBackpropInputViaConv>[1]),
  });
  return () => {
    tf.unregisterKernel('Conv2DBackpropFilter', backendName);
    tf.unregisterKernel('Conv2DBackpropInput', backendName);
    for (const p of previous) if (p) tf.registerKernel(p);
  };
}

/** One phase φ of a strided 1-D transposed convolution (see backpropInputPolyphase). */
interface Phase {
  /** First filter tap of the phase: taps k0, k0 + s, k0 + 2s, …. */
  k0: number;
  /** Taps in the phase. */
  taps: number;
  /** Outputs of the phase: rows φ, φ + s, … below the input size. */
  outputs: number;
  /** Rows of dy to skip at the start, and zero padding before / after the rest. */
  cropStart: number;
  padBefore: number;
  padAfter: number;
}

function phaseOf(phi: number, stride: number, kernel: number, padStart: number, inSize: number, dySize: number): Phase | undefined {
  const k0 = (phi + padStart) % stride;
  const taps = Math.ceil((kernel - k0) / stride);
  const outputs = Math.ceil((inSize - phi) / stride);
  if (taps < 1 || outputs < 1) return undefined;
  const d = (phi + padStart - k0) / stride;
  // dx[s·u + φ] = Σ_m dy[u + d − m]·W[k0 + s·m]: a stride-1 correlation of dy with the phase's
  // flipped taps, padded taps − 1 − d before.
  const before = taps - 1 - d;
  const cropStart = Math.max(0, -before);
  const padBefore = Math.max(0, before);
  const padAfter = outputs - (dySize - cropStart) - padBefore + taps - 1;
  if (padAfter < 0 || dySize - cropStart <= 0) return undefined;
  return { k0, taps, outputs, cropStart, padBefore, padAfter };
}

/**
 * The taps W[a0 + sa·i, b0 + sb·j] (i < ta, j < tb) of a [kh, kw, cin, cout] filter, flipped in
 * both axes and with in/out channels swapped, as a new [ta, tb, cout, cin] tensor: the filter of
 * a convolution that computes an input gradient. One JavaScript pass over the (small) filter;
 * tfjs-wasm's Reverse alone took 25 ms per training step.
 */
function flippedTransposedTaps(be: WasmBackendLike, filter: TensorInfo, kw: number, a0: number, b0: number, sa: number, sb: number, ta: number, tb: number): TensorInfo {
  const [cin, cout] = [filter.shape[2]!, filter.shape[3]!];
  const out = be.makeOutput([ta, tb, cout, cin], 'float32');
  const src = be.typedArrayFromHeap(filter);
  const dst = be.typedArrayFromHeap(out);
  for (let i = 0; i < ta; i++)
    for (let j = 0; j < tb; j++) {
      const from = ((a0 + sa * (ta - 1 - i)) * kw + (b0 + sb * (tb - 1 - j))) * cin * cout;
      const to = (i * tb + j) * cout * cin;
      for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) dst[to + co * cin + ci] = src[from + ci * cout + co]!;
    }
  return out;
}

/**
 * Input gradient of a strided convolution by phases: the rows (columns) of dx with the same
 * residue modulo the stride only see every s-th filter tap, so dx splits into s_h·s_w stride-1
 * convolutions of dy with sub-filters, whose outputs our heap workers write interleaved straight
 * into dx. A quarter of the multiply-adds of zero insertion for stride 2, no zero-inserted copy
 * of dy, and none of tfjs-wasm's StridedSlice / Reverse / Concat / Slice passes (measured at 2
 * threads, 64 × 20 × 8 × 64 → 128: 23 → 7 ms; the StridedSlice of the filter alone took 11 ms).
 */
function backpropInputPolyphase(
  run: ReturnType<typeof runner>,
  dispose: (t: TensorInfo) => void,
  backend: KernelBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tfjs.backend_util.Conv2DInfo,
): TensorInfo {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight: H, inWidth: W, inChannels: cin } = info;
  const [n, ho, wo] = dy.shape as [number, number, number, number];
  const be = backend as unknown as WasmBackendLike;
  const pool = poolFor(backend);
  const floatAt = (t: TensorInfo) => be.typedArrayFromHeap(t).byteOffset / 4;
  const dx = be.makeOutput([n, H, W, cin], 'float32');
  for (let ph = 0; ph < sh; ph++) {
    for (let pw = 0; pw < sw; pw++) {
      const a = phaseOf(ph, sh, kh, info.padInfo.top, H, ho);
      const b = phaseOf(pw, sw, kw, info.padInfo.left, W, wo);
      const rows = Math.ceil((H - ph) / sh);
      const cols = Math.ceil((W - pw) / sw);
      if (rows < 1 || cols < 1) continue;
      if (!a || !b) {
        // No tap reaches these positions: their gradient is zero.
        pool.run(TASK.interleave, [floatAt(dx), 0, n, H, W, cin, ph, pw, sh, sw, rows, cols, 0], n * rows * cols * cin);
        continue;
      }
      const subFilter = flippedTransposedTaps(be, filter, kw, a.k0, b.k0, sh, sw, a.taps, b.taps);
      const input = a.cropStart || b.cropStart ? run('Slice', { x: dy }, { begin: [0, a.cropStart, b.cropStart, 0], size: [-1, -1, -1, -1] }) : dy;
      const part = run('Conv2D', { x: input, filter: subFilter }, {
        strides: [1, 1],
        pad: [
          [0, 0],
          [a.padBefore, a.padAfter],
          [b.padBefore, b.padAfter],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      });
      dispose(subFilter);
      if (input !== dy) dispose(input);
      pool.run(TASK.interleave, [floatAt(dx), floatAt(part), n, H, W, cin, ph, pw, sh, sw, rows, cols, 1], n * rows * cols * cin);
      dispose(part);
    }
  }
  return dx;
}

let registered = false;

/** Registers the two kernels for the wasm backend (idempotent). */
export function registerWasmConvGradKernels(tf: Tf): void {
  if (registered) return;
  registered = true;
  registerConvGradKernels(tf, 'wasm');
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: (a) => conv2DBackpropFilterDirect(tf, a as unknown as Parameters<typeof conv2DBackpropFilterDirect>[1]),
  });
}
