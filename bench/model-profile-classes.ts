/** Kernel classes of `npm run bench -- train-profile` (shared by the bench file and its child process). */
export const KERNEL_CLASSES = [
  'conv forward',
  'conv input gradient',
  'conv filter gradient',
  'BatchNorm',
  'pooling',
  'element-wise',
  'head (dense, cosine, softmax, loss)',
  'optimizer (Adam)',
  'host↔wasm copies',
  'data wait',
  'other (tape, glue)',
] as const;
export type KernelClass = (typeof KERNEL_CLASSES)[number];
