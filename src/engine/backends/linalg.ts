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
      let s = a[rowI + j]!;
      for (let k = 0; k < j; k++) s -= l[rowI + k]! * l[rowJ + k]!;
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
  // Column j of L⁻¹ solves L·x = e_j by forward substitution; x_i = 0 for i < j.
  for (let j = 0; j < d; j++) {
    inv[j * d + j] = 1 / l[j * d + j]!;
    for (let i = j + 1; i < d; i++) {
      const rowI = i * d;
      let s = 0;
      for (let k = j; k < i; k++) s -= l[rowI + k]! * inv[k * d + j]!;
      inv[rowI + j] = s / l[rowI + i]!;
    }
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
