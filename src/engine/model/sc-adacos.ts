/**
 * Sub-cluster AdaCos (method.md §5): cosine logits against C·S centres, the adaptive scale ŝ
 * (non-trainable state updated once per training step, no gradient through it), class
 * probabilities summed over sub-clusters, and the weighted cross-entropy loss.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { COS_CLIP_EPS } from './config.ts';

type Tf = typeof tfjs;
type Tensor2D = tfjs.Tensor2D;
type Scalar = tfjs.Scalar;

/** ŝ⁽⁰⁾ = √2 · ln(C·S − 1). */
export function initialScale(numClasses: number, subclusters: number): number {
  return Math.SQRT2 * Math.log(numClasses * subclusters - 1);
}

export interface ScaleUpdate {
  sNew: number;
  fMax: number;
  bAvg: number;
  /** θ̂_i per sample (radians, times the number of mixed classes). */
  thetaClass: Float64Array;
  /** numpy-style median (linear interpolation: mean of the two middle values for even N). */
  thetaMed: number;
}

/** numpy.median: the middle value, or the mean of the two middle values. */
export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) throw new Error('median of an empty list');
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * One adaptive-scale update in float64 from the clipped cosines of a batch.
 * cos: N × (C·S) row-major; yMixed: N × C row-major (mixed labels); sPrev: ŝ⁽ᵗ⁻¹⁾.
 */
export function updateScale(
  cos: ArrayLike<number>,
  yMixed: ArrayLike<number>,
  n: number,
  numClasses: number,
  subclusters: number,
  sPrev: number,
): ScaleUpdate {
  const k = numClasses * subclusters;
  if (cos.length !== n * k) throw new Error(`updateScale: cos has ${cos.length} values, expected ${n}×${k}`);
  if (yMixed.length !== n * numClasses) throw new Error(`updateScale: labels have ${yMixed.length} values, expected ${n}×${numClasses}`);
  let fMax = -Infinity;
  for (let i = 0; i < n * k; i++) fMax = Math.max(fMax, sPrev * clipCos(cos[i]!));
  let bSum = 0;
  for (let i = 0; i < n * k; i++) bSum += Math.exp(sPrev * clipCos(cos[i]!) - fMax);
  const bAvg = bSum / n;
  const thetaClass = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    let mixedClasses = 0;
    for (let c = 0; c < numClasses; c++) {
      const y = yMixed[i * numClasses + c]!;
      if (y === 0) continue;
      mixedClasses++;
      for (let s = 0; s < subclusters; s++) acc += y * Math.acos(clipCos(cos[i * k + c * subclusters + s]!));
    }
    thetaClass[i] = acc * mixedClasses;
  }
  const thetaMed = median(thetaClass);
  const sNew = (fMax + Math.log(bAvg)) / Math.cos(Math.min(Math.PI / 4, thetaMed)) + 1e-7;
  return { sNew, fMax, bAvg, thetaClass, thetaMed };
}

function clipCos(c: number): number {
  return Math.min(1 - COS_CLIP_EPS, Math.max(-1 + COS_CLIP_EPS, c));
}

/** Clipped cosines [N, C·S] between embeddings x [N, D] and centre columns w [D, C·S]. */
export function cosineLogits(tf: Tf, x: Tensor2D, w: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const xn = tf.div(x, tf.norm(x, 'euclidean', 1, true));
    const wn = tf.div(w, tf.norm(w, 'euclidean', 0, true));
    return tf.clipByValue(tf.matMul(xn, wn), -1 + COS_CLIP_EPS, 1 - COS_CLIP_EPS) as Tensor2D;
  });
}

/** P [N, C]: softmax over all C·S scaled logits, summed over each class's sub-clusters. */
export function classProbabilities(tf: Tf, cos: Tensor2D, scale: number, numClasses: number, subclusters: number): Tensor2D {
  return tf.tidy(() => {
    const p = tf.softmax(tf.mul(cos, scale)) as Tensor2D;
    if (subclusters === 1) return p;
    return tf.sum(tf.reshape(p, [cos.shape[0], numClasses, subclusters]), 2) as Tensor2D;
  });
}

/** Mean over the batch of w_i · CE(y_i, clip(P_i, 1e-7, 1 − 1e-7)) (Keras `sum_over_batch_size`). */
export function weightedCrossEntropy(tf: Tf, probs: Tensor2D, yMixed: Tensor2D, sampleWeights?: tfjs.Tensor1D): Scalar {
  return tf.tidy(() => {
    const perSample = tf.neg(tf.sum(tf.mul(yMixed, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), 1));
    const weighted = sampleWeights ? tf.mul(perSample, sampleWeights) : perSample;
    return tf.mean(weighted) as Scalar;
  });
}
