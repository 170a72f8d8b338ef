// Entry of our WebAssembly kernel module (AssemblyScript): every kernel the heap workers run.
export { dwTile } from './filter-grad';
export { channelSums, affine, affine2 } from './batch-norm';
export { add, leakyRelu, leakyReluGrad } from './elementwise';
export { maxPoolGrad } from './max-pool';
