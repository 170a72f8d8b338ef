import { loadTf } from '../src/engine/tf.ts';
import type { Benchmark } from './harness.ts';
import { timeMs } from './harness.ts';

/** Baseline figure for the TF backend: a 3×3 conv over one log-Mel-sized input. */
export const benchmarks: Benchmark[] = [
  {
    name: 'tf conv3x3 16ch 157x64 (active backend)',
    unit: 'ms',
    compare: 'reference for the model benchmarks',
    reps: 7,
    run: async () => {
      const { tf } = await loadTf();
      const x = tf.randomNormal([1, 157, 64, 16]) as import('@tensorflow/tfjs').Tensor4D;
      const k = tf.randomNormal([3, 3, 16, 16]) as import('@tensorflow/tfjs').Tensor4D;
      const ms = await timeMs(async () => {
        const y = tf.conv2d(x, k, 1, 'same');
        await y.data();
        y.dispose();
      });
      x.dispose();
      k.dispose();
      return ms;
    },
  },
];
