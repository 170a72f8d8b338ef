/** The direct-output back-end (method.md §6): the model's own class probability as anomaly score. */

/** −log P(class) from a model's class probabilities (guarded: P = 0 scores −log(5e-324) ≈ 744). */
export function modelOutputScore(probabilities: ArrayLike<number>, classIndex: number): number {
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= probabilities.length) {
    throw new Error(`model-output score: class index ${classIndex} is outside 0…${probabilities.length - 1}`);
  }
  const p = probabilities[classIndex]!;
  if (!(p >= 0 && p <= 1 + 1e-6))
    throw new Error(`model-output score: probability ${p} of class ${classIndex} is not in [0, 1]`);
  return -Math.log(Math.max(p, Number.MIN_VALUE));
}
