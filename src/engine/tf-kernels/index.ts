/** Custom kernels that make training practical on the wasm backend; registered by `loadTf`. */
import type * as tfjs from '@tensorflow/tfjs';
import { registerWasmConvGradKernels } from './wasm-conv-grad.ts';
import { registerWasmJsKernels } from './wasm-js-kernels.ts';
import { registerWasmBatchNormKernels } from './wasm-batch-norm.ts';

export { LEAKY_RELU_GRAD_KERNEL } from './wasm-js-kernels.ts';
export { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL } from './wasm-batch-norm.ts';
export { enableNodeWasmThreads } from './wasm-threads.ts';
export { conv2DBackpropFilterViaConv, conv2DBackpropInputViaConv, registerConvGradKernels } from './wasm-conv-grad.ts';

/** Registers every custom wasm kernel (idempotent). */
export function registerWasmKernels(tf: typeof tfjs): void {
  registerWasmConvGradKernels(tf);
  registerWasmJsKernels(tf);
  registerWasmBatchNormKernels(tf);
}
