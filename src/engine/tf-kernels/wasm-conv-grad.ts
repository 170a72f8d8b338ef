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

/**
 * dW[a,b,ci,co] = Σ_{n,i,j} x[n, i·sh + a − pt, j·sw + b − pl, ci] · dy[n,i,j,co], computed as
 * Conv2D(xᵀ [Cin,H,W,N], dyᵀ [Ho,Wo,N,Cout], dilation = stride) → [Cin,kh,kw,Cout] → [kh,kw,Cin,Cout].
 */
export function conv2DBackpropFilterViaConv(
  tf: Tf,
  args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: KernelBackend; attrs: Conv2DBackpropFilterAttrs },
): TensorInfo {
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  const run = runner(tf, args.backend);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
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
  const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
  const filterT = run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
  dispose(flipped);

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

let registered = false;

/** Registers the two kernels for the wasm backend (idempotent). */
export function registerWasmConvGradKernels(tf: Tf): void {
  if (registered) return;
  registered = true;
  registerConvGradKernels(tf, 'wasm');
}
