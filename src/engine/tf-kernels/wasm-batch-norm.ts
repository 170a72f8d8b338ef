/**
 * Training-mode BatchNorm for the wasm backend as two kernels over the wasm heap, each two passes
 * over the activation (channels are the last axis, statistics over all other axes):
 * - forward: per-channel Σx and Σx² in one pass (float64), then y = x·a + b with
 *   a = γ/√(var + ε), b = β − mean·a by XNNPack. tfjs' ops take six passes and four temporaries
 *   (moments = Mean, Sub, Square, Mean; then Multiply, Add).
 * - gradient: per-channel Σdy and Σdy·x in one pass (float64), then dx = a·dy + b·x + c (the
 *   analytic gradient of network.ts' trainingBatchNorm) in one pass; seven passes in tfjs ops.
 * The JavaScript passes run on every wasm thread (heap-workers.ts). The variance is the biased
 * batch variance, as tf.moments gives it.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { channelSums, poolFor, TASK } from './heap-workers.ts';

type Tf = typeof tfjs;
type TensorInfo = tfjs.TensorInfo;

export const BATCH_NORM_TRAIN_KERNEL = 'AuscultBatchNormTrain';
export const BATCH_NORM_GRAD_KERNEL = 'AuscultBatchNormGrad';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tfjs.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: Record<string, unknown> };

function shapeInfo(x: TensorInfo): { C: number; rows: number } {
  const C = x.shape[x.shape.length - 1]!;
  return { C, rows: x.shape.reduce((p, d) => p * d, 1) / C };
}

function batchNormTrainKernel(tf: Tf): tfjs.KernelConfig {
  return {
    kernelName: BATCH_NORM_TRAIN_KERNEL,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args as unknown as KernelArgs;
      const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
      const eps = attrs.varianceEpsilon as number;
      const be = backend as WasmBackendLike;
      const { C, rows } = shapeInfo(x);
      // Outputs first: allocating may grow the heap, which detaches earlier views.
      const meanInfo = be.makeOutput([C], 'float32');
      const varInfo = be.makeOutput([C], 'float32');
      const simd = C % 4 === 0;
      const yInfo = simd ? be.makeOutput(x.shape, 'float32') : undefined;
      const coefInfo = simd ? be.makeOutput([2 * C], 'float32') : undefined;
      const [sum, sumSq] = channelSums(backend, x, x, rows, C);
      const meanOut = be.typedArrayFromHeap(meanInfo);
      const varOut = be.typedArrayFromHeap(varInfo);
      for (let c = 0; c < C; c++) {
        const mean = sum[c]! / rows;
        meanOut[c] = mean;
        varOut[c] = Math.max(0, sumSq[c]! / rows - mean * mean);
      }
      if (yInfo && coefInfo) {
        // y = x·a + b, a = γ/√(var + ε), b = β − mean·a: our SIMD kernel on every thread.
        const coef = be.typedArrayFromHeap(coefInfo);
        const g = be.typedArrayFromHeap(gamma);
        const bt = be.typedArrayFromHeap(beta);
        for (let c = 0; c < C; c++) {
          const a = g[c]! / Math.sqrt(varOut[c]! + eps);
          coef[c] = a;
          coef[C + c] = bt[c]! - meanOut[c]! * a;
        }
        const at = (t: TensorInfo) => be.typedArrayFromHeap(t).byteOffset;
        poolFor(backend).run(TASK.affine, [at(yInfo), at(x), coef.byteOffset, coef.byteOffset + 4 * C, rows, C], rows * C);
        (backend as tfjs.KernelBackend).disposeData(coefInfo.dataId);
        return [yInfo, meanInfo, varInfo];
      }
      // y = x·a + b by the FusedBatchNorm kernel (an XNNPack multiply and add).
      const fusedBatchNorm = tf.getKernel('FusedBatchNorm', 'wasm')!.kernelFunc;
      const y = fusedBatchNorm({
        inputs: { x, mean: meanInfo, variance: varInfo, offset: beta, scale: gamma },
        backend: backend as tfjs.KernelBackend,
        attrs: { varianceEpsilon: eps },
      }) as TensorInfo;
      return [y, meanInfo, varInfo];
    },
  };
}

function batchNormGradKernel(): tfjs.KernelConfig {
  return {
    kernelName: BATCH_NORM_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args as unknown as KernelArgs;
      const { dy, x, mean, variance, gamma } = inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'gamma', TensorInfo>;
      const eps = attrs.varianceEpsilon as number;
      const be = backend as WasmBackendLike;
      const { C, rows } = shapeInfo(x);
      const dxInfo = be.makeOutput(x.shape, 'float32');
      const dGammaInfo = be.makeOutput([C], 'float32');
      const dBetaInfo = be.makeOutput([C], 'float32');
      // Per-channel coefficients a, b, c live in the heap so that the pool's workers can read them.
      const coefInfo = be.makeOutput([3 * C], 'float32');
      const [sumDy, sumDyX] = channelSums(backend, dy, x, rows, C);
      const mu = be.typedArrayFromHeap(mean);
      const vr = be.typedArrayFromHeap(variance);
      const g = be.typedArrayFromHeap(gamma);
      const dGamma = be.typedArrayFromHeap(dGammaInfo);
      const dBeta = be.typedArrayFromHeap(dBetaInfo);
      const coef = be.typedArrayFromHeap(coefInfo);
      for (let c = 0; c < C; c++) {
        const rstd = 1 / Math.sqrt(vr[c]! + eps);
        const dG = rstd * (sumDyX[c]! - mu[c]! * sumDy[c]!);
        dGamma[c] = dG;
        dBeta[c] = sumDy[c]!;
        const a = g[c]! * rstd;
        const b = (-a * rstd * dG) / rows;
        coef[c] = a;
        coef[C + c] = b;
        coef[2 * C + c] = (-a * sumDy[c]!) / rows - b * mu[c]!;
      }
      const at = (t: TensorInfo) => be.typedArrayFromHeap(t).byteOffset;
      const k = coef.byteOffset;
      poolFor(backend).run(TASK.affine2, [at(dxInfo), at(dy), at(x), k, k + 4 * C, k + 8 * C, rows, C], rows * C);
      (backend as tfjs.KernelBackend).disposeData(coefInfo.dataId);
      return [dxInfo, dGammaInfo, dBetaInfo];
    },
  };
}

let registered = false;

/** Registers both kernels for the wasm backend (idempotent). */
export function registerWasmBatchNormKernels(tf: Tf): void {
  if (registered) return;
  registered = true;
  tf.registerKernel(batchNormTrainKernel(tf));
  tf.registerKernel(batchNormGradKernel());
}
