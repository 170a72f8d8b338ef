/**
 * Dense float64 linear algebra for the back-ends' hot paths: Cholesky factorisation, the inverse of
 * a lower-triangular factor and log-determinants. Matrices are row-major Float64Array d×d.
 * Hand-written (rather than ml-matrix) because GMM fitting calls these on every EM iteration.
 */

/** Error raised when a covariance matrix is not numerically positive definite. */
export class NotPositiveDefiniteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotPositiveDefiniteError';
  }
}

/**
 * Cholesky factor L (lower, row-major d×d, upper part zero) with A = L·Lᵀ, for a symmetric
 * positive-definite A (row-major d×d; only its lower triangle is read).
 */
export function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const rowI = i * d;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * d;
      // Four partial dot products: independent additions pipeline better than one chain.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 3 < j; k += 4) {
        s0 += l[rowI + k]! * l[rowJ + k]!;
        s1 += l[rowI + k + 1]! * l[rowJ + k + 1]!;
        s2 += l[rowI + k + 2]! * l[rowJ + k + 2]!;
        s3 += l[rowI + k + 3]! * l[rowJ + k + 3]!;
      }
      for (; k < j; k++) s0 += l[rowI + k]! * l[rowJ + k]!;
      const s = a[rowI + j]! - (s0 + s1 + (s2 + s3));
      if (i === j) {
        if (!(s > 0)) {
          throw new NotPositiveDefiniteError(`matrix is not positive definite (pivot ${i} is ${s})`);
        }
        l[rowI + i] = Math.sqrt(s);
      } else {
        l[rowI + j] = s / l[rowJ + j]!;
      }
    }
  }
  return l;
}

/** Inverse of a lower-triangular L (row-major d×d); the result is lower triangular too. */
export function invertLowerTriangular(l: Float64Array, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  // Row i of L·X = I: X_i = (e_i − Σ_{k<i} L_ik·X_k) / L_ii, accumulated row by row (contiguous).
  for (let i = 0; i < d; i++) {
    const rowI = i * d;
    let k = 0;
    // Four rows of X per pass (X is zero above its diagonal, so all four may run to column k+3).
    for (; k + 3 < i; k += 4) {
      const l0 = l[rowI + k]!;
      const l1 = l[rowI + k + 1]!;
      const l2 = l[rowI + k + 2]!;
      const l3 = l[rowI + k + 3]!;
      const r0 = k * d;
      const r1 = r0 + d;
      const r2 = r1 + d;
      const r3 = r2 + d;
      for (let j = 0; j <= k + 3; j++) {
        inv[rowI + j]! -= l0 * inv[r0 + j]! + l1 * inv[r1 + j]! + l2 * inv[r2 + j]! + l3 * inv[r3 + j]!;
      }
    }
    for (; k < i; k++) {
      const lik = l[rowI + k]!;
      const rowK = k * d;
      for (let j = 0; j <= k; j++) inv[rowI + j]! -= lik * inv[rowK + j]!;
    }
    const diag = l[rowI + i]!;
    for (let j = 0; j < i; j++) inv[rowI + j]! /= diag;
    inv[rowI + i] = 1 / diag;
  }
  return inv;
}

/** Σ_i log L_ii of a triangular factor: half the log-determinant of A = L·Lᵀ. */
export function logDiagSum(l: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(l[i * d + i]!);
  return s;
}

/** ln(2π), the per-dimension constant of a Gaussian log-density. */
export const LOG_2PI = Math.log(2 * Math.PI);
