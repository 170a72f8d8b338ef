/**
 * Kernels for the wasm backend over the wasm heap, for operations where tfjs-backend-wasm 4.22
 * does several full passes (or a transpose), runs on one thread, or loops in scalar code. The
 * passes themselves run on every wasm thread (heap-workers.ts), as our SIMD kernels
 * (assembly/) where the channel count allows:
 * - Sum / Mean over the leading axes (per-channel reductions of NHWC tensors: BatchNorm
 *   statistics and gradients, bias gradients) — wasm transposes the whole tensor first;
 * - MaxPoolGrad — wasm's generic loop is slow for the overlapping 3×3/2 pool of the stem;
 * - LeakyReLU and its gradient (Greater + Multiply + Select in tfjs) as one select each;
 * - Add of equal shapes; Identity (used to save tensors for the backward pass) without a copy;
 * - FusedBatchNorm as a per-channel affine map on XNNPack.
 * Everything else falls back to the backend's own kernel.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { CHANNEL_SUMS_MAX, channelSums, ELEMENTWISE, poolFor, TASK } from './heap-workers.ts';

type Tf = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;

/** The parts of tfjs-backend-wasm's BackendWasm we use. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tfjs.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: Record<string, unknown> };

export const LEAKY_RELU_GRAD_KERNEL = 'AuscultLeakyReluGrad';

function normaliseAxes(axis: unknown, rank: number): number[] {
  const list = axis === undefined || axis === null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis as number];
  return [...new Set(list.map((a: number) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

/** Σ over the first `k` axes: x viewed as [outer, inner] → [inner]; float64 accumulation. */
function sumLeading(backend: WasmBackendLike, x: TensorInfo, k: number, keepDims: boolean, divide: boolean): TensorInfo {
  const outer = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const innerShape = x.shape.slice(k);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...innerShape] : innerShape;
  const out = backend.makeOutput(outShape, 'float32');
  // Channel counts on every thread (SIMD); very wide rows (dense layers' inputs) here.
  const acc = inner <= CHANNEL_SUMS_MAX ? channelSums(backend, x, x, outer, inner)[0] : sumRows(backend.typedArrayFromHeap(x), outer, inner);
  const ys = backend.typedArrayFromHeap(out);
  const scale = divide ? 1 / outer : 1;
  for (let j = 0; j < inner; j++) ys[j] = acc[j]! * scale;
  return out;
}

/**
 * Column sums of a row-major [outer, inner] matrix. Rows are taken in blocks that fit the L1
 * cache and each column of a block is summed in a register (3× faster than one running sum per
 * column in memory when `inner` is a channel count such as 16), four columns at a time when
 * `inner` is a multiple of 4 (1.5× faster again: V8 does not vectorise).
 */
function sumRows(xs: Float32Array, outer: number, inner: number): Float64Array {
  const acc = new Float64Array(inner);
  const block = Math.max(1, Math.floor(4096 / inner));
  const quads = inner % 4 === 0 ? inner : 0;
  for (let b = 0; b < outer; b += block) {
    const end = Math.min(outer, b + block) * inner;
    for (let j = 0; j < quads; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0; // prettier-ignore
      for (let i = b * inner + j; i < end; i += inner) {
        s0 += xs[i]!; s1 += xs[i + 1]!; s2 += xs[i + 2]!; s3 += xs[i + 3]!; // prettier-ignore
      }
      acc[j]! += s0; acc[j + 1]! += s1; acc[j + 2]! += s2; acc[j + 3]! += s3; // prettier-ignore
    }
    for (let j = quads; j < inner; j++) {
      let s = 0;
      for (let i = b * inner + j; i < end; i += inner) s += xs[i]!;
      acc[j]! += s;
    }
  }
  return acc;
}

function reductionKernel(tf: Tf, name: 'Sum' | 'Mean'): tfjs.KernelConfig {
  const original = tf.getKernel(name, 'wasm');
  if (!original) throw new Error(`wasm kernel ${name} is not registered`);
  return {
    kernelName: name,
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args as unknown as KernelArgs;
      const x = inputs.x!;
      const axes = normaliseAxes(attrs.axis, x.shape.length);
      const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
      if (x.dtype === 'float32' && leading && x.shape.length > 1) {
        return sumLeading(backend as WasmBackendLike, x, axes.length, Boolean(attrs.keepDims), name === 'Mean');
      }
      return original.kernelFunc(args);
    },
  };
}

/**
 * Add of two float32 tensors of the same shape (residual connections, gradients summed by the
 * tape) on every thread; broadcasting and other types go to wasm's own kernel, which runs on
 * one thread.
 */
function addKernel(tf: Tf): tfjs.KernelConfig {
  const original = tf.getKernel('Add', 'wasm');
  if (!original) throw new Error('wasm kernel Add is not registered');
  return {
    kernelName: 'Add',
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend } = args as unknown as KernelArgs;
      const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
      const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
      if (!same || a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
      const be = backend as WasmBackendLike;
      const out = be.makeOutput(a.shape, 'float32');
      const at = (t: TensorInfo) => be.typedArrayFromHeap(t).byteOffset;
      const size = a.shape.reduce((p, d) => p * d, 1);
      poolFor(backend).run(TASK.elementwise, [ELEMENTWISE.add, size, at(out), at(a), at(b)], size);
      return out;
    },
  };
}

/** dx for max pooling (first maximum of each window gets the gradient, as tfjs' cpu backend). */
function maxPoolGradKernel(tf: Tf): tfjs.KernelConfig {
  const original = tf.getKernel('MaxPoolGrad', 'wasm');
  return {
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    setupFunc: original?.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args as unknown as KernelArgs;
      const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
      const info = tf.backend_util.computePool2DInfo(
        input.shape as [number, number, number, number],
        attrs.filterSize as [number, number],
        attrs.strides as [number, number],
        1,
        attrs.pad as 'same' | 'valid',
        attrs.dimRoundingMode as 'floor' | undefined,
      );
      const be = backend as WasmBackendLike;
      const out = be.makeOutput(input.shape, 'float32');
      const at = (t: TensorInfo) => be.typedArrayFromHeap(t).byteOffset;
      const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
      const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
      // Images are split over the wasm threads (heap-workers.ts); windows are read contiguously.
      const params = [at(out), at(dy), at(input), batchSize, H, W, C, OH, OW, sh, sw, fh, fw, info.padInfo.top, info.padInfo.left];
      poolFor(backend).run(TASK.maxPoolGrad, params, batchSize * H * W * C);
      return out;
    },
  };
}

/** dx = dy where x > 0, α·dy elsewhere — one pass. */
function leakyReluGradKernel(): tfjs.KernelConfig {
  return {
    kernelName: LEAKY_RELU_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args as unknown as KernelArgs;
      const be = backend as WasmBackendLike;
      const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
      const alpha = attrs.alpha as number;
      const out = be.makeOutput(x.shape, 'float32');
      const xs = be.typedArrayFromHeap(x);
      // One branch-free pass (heap-workers.ts), on every wasm thread.
      poolFor(backend).run(TASK.elementwise, [ELEMENTWISE.leakyReluGrad, xs.length, be.typedArrayFromHeap(out).byteOffset, be.typedArrayFromHeap(dy).byteOffset, xs.byteOffset, alpha], xs.length);
      return out;
    },
  };
}

/** The wasm backend's kernel `name` as a function of tensor infos. */
function wasmKernel(tf: Tf, name: string): tfjs.KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k.kernelFunc;
}

/**
 * LeakyReLU (wasm's own is a scalar loop: 10 M values 200 ms) as one SIMD select on every thread
 * (stem, 10.3 M values: XNNPack's PReLU 5.1 / 2.9 ms on 1 / 2 threads, this 4.6 / 2.0 ms).
 */
function leakyReluKernel(tf: Tf): tfjs.KernelConfig {
  const original = tf.getKernel('LeakyRelu', 'wasm');
  return {
    kernelName: 'LeakyRelu',
    backendName: 'wasm',
    setupFunc: original?.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args as unknown as KernelArgs;
      const x = inputs.x!;
      if (x.dtype !== 'float32') return original!.kernelFunc(args);
      const be = backend as WasmBackendLike;
      const out = be.makeOutput(x.shape, 'float32');
      const size = x.shape.reduce((p, d) => p * d, 1);
      poolFor(backend).run(TASK.elementwise, [ELEMENTWISE.leakyRelu, size, be.typedArrayFromHeap(out).byteOffset, be.typedArrayFromHeap(x).byteOffset, 0, attrs.alpha as number], size);
      return out;
    },
  };
}

/**
 * Identity that shares the input's memory (reference counted, as the cpu backend does) instead of
 * copying it: tfjs clones every tensor it saves for the backward pass, ≈ 300 full copies a step.
 */
function sharingIdentityKernel(tf: Tf): tfjs.KernelConfig {
  const original = tf.getKernel('Identity', 'wasm');
  return {
    kernelName: 'Identity',
    backendName: 'wasm',
    setupFunc: original?.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend } = args as unknown as KernelArgs;
      const x = inputs.x!;
      if (x.dtype === 'string') return original!.kernelFunc(args);
      (backend as { incRef(dataId: unknown): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
}

/**
 * Inference-form BatchNorm y = (x − mean)·scale/√(var + ε) + offset as a per-channel affine map,
 * x·a + b, run by XNNPack's multiply and add (wasm's FusedBatchNorm is a scalar loop, ≈ 2.5×
 * slower). Channels are the last axis.
 */
function fusedBatchNormKernel(tf: Tf): tfjs.KernelConfig {
  const original = tf.getKernel('FusedBatchNorm', 'wasm');
  return {
    kernelName: 'FusedBatchNorm',
    backendName: 'wasm',
    setupFunc: original?.setupFunc,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args as unknown as KernelArgs;
      const { x, mean, variance, offset, scale } = inputs as Record<string, TensorInfo | undefined>;
      const channels = x!.shape[x!.shape.length - 1] ?? 0;
      const perChannel = (t: TensorInfo | undefined) => t === undefined || t === null || (t.shape.reduce((a, b) => a * b, 1) === channels && t.dtype === 'float32');
      if (x!.dtype !== 'float32' || channels === 0 || ![mean, variance, offset, scale].every(perChannel) || !mean || !variance) {
        return original!.kernelFunc(args);
      }
      const be = backend as WasmBackendLike;
      const eps = attrs.varianceEpsilon as number;
      const m = be.typedArrayFromHeap(mean);
      const v = be.typedArrayFromHeap(variance);
      const o = offset ? be.typedArrayFromHeap(offset) : undefined;
      const g = scale ? be.typedArrayFromHeap(scale) : undefined;
      const a = new Float32Array(channels);
      const b = new Float32Array(channels);
      for (let c = 0; c < channels; c++) {
        a[c] = (g ? g[c]! : 1) / Math.sqrt(v[c]! + eps);
        b[c] = (o ? o[c]! : 0) - m[c]! * a[c]!;
      }
      // XNNPack's broadcasting multiply and add (SIMD) beat both wasm's scalar loop and plain JS.
      const aInfo = be.makeOutput([channels], 'float32');
      be.typedArrayFromHeap(aInfo).set(a);
      const bInfo = be.makeOutput([channels], 'float32');
      be.typedArrayFromHeap(bInfo).set(b);
      const kb = backend as tfjs.KernelBackend;
      const scaled = wasmKernel(tf, 'Multiply')({ inputs: { a: x!, b: aInfo }, backend: kb, attrs: {} }) as TensorInfo;
      const out = wasmKernel(tf, 'Add')({ inputs: { a: scaled, b: bInfo }, backend: kb, attrs: {} }) as TensorInfo;
      for (const t of [aInfo, bInfo, scaled]) kb.disposeData(t.dataId);
      return out;
    },
  };
}

let registered = false;

/** Registers the kernels above for wasm and routes the LeakyReLU gradient through them on wasm. */
export function registerWasmJsKernels(tf: Tf): void {
  if (registered) return;
  registered = true;
  const replaced = [reductionKernel(tf, 'Sum'), reductionKernel(tf, 'Mean'), addKernel(tf), maxPoolGradKernel(tf), leakyReluKernel(tf), sharingIdentityKernel(tf), fusedBatchNormKernel(tf)];
  for (const config of replaced) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  tf.registerKernel(leakyReluGradKernel());
  const original = tf.getGradient('LeakyRelu');
  if (!original) return;
  tf.unregisterGradient('LeakyRelu');
  tf.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== 'wasm') return original.gradFunc(dy, saved, attrs);
      const [x] = saved as [tfjs.Tensor];
      return {
        x: () =>
          tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: dy as tfjs.Tensor, x }, { alpha: (attrs as { alpha: number }).alpha }) as tfjs.Tensor,
      };
    },
  });
}
