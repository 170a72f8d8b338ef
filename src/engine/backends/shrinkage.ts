/**
 * Ledoit–Wolf shrinkage of a full covariance (scikit-learn `LedoitWolf`, `assume_centered=False`):
 * Σ = (1 − s)·S + s·μ·I with S the maximum-likelihood covariance, μ = trace(S)/d and the
 * shrinkage s that minimises the expected Frobenius error. With fewer clips than dimensions (a
 * plant's first recordings) S is singular and a Gaussian on it measures mostly the directions the
 * few clips happen not to span; the shrunk covariance keeps every direction at a sensible scale.
 */
import type { GaussianParameters } from './gaussian.ts';

export interface ShrunkCovariance {
  mean: Float64Array;
  /** d×d row-major. */
  covariance: Float64Array;
  shrinkage: number;
}

export function ledoitWolfCovariance(x: Float64Array, n: number, d: number): ShrunkCovariance {
  if (n < 1 || x.length !== n * d) throw new Error(`Ledoit–Wolf needs n ≥ 1 points of dimension ${d} (got ${x.length} values for n=${n})`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = x[i * d + j]! - mean[j]!;
  // S = XᵀX / n; also Σ_ij (Σ_k x_ki² x_kj²) for the variance of the estimate (beta).
  const s = new Float64Array(d * d);
  const s2 = new Float64Array(d * d);
  for (let k = 0; k < n; k++) {
    const o = k * d;
    for (let a = 0; a < d; a++) {
      const va = xc[o + a]!;
      const va2 = va * va;
      for (let b = 0; b <= a; b++) {
        const vb = xc[o + b]!;
        s[a * d + b]! += va * vb;
        s2[a * d + b]! += va2 * vb * vb;
      }
    }
  }
  let trace = 0;
  let sumSq = 0; // Σ (XᵀX)_ij²
  let beta_ = 0; // Σ_ij (X²ᵀX²)_ij
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      const w = a === b ? 1 : 2;
      sumSq += w * s[a * d + b]! * s[a * d + b]!;
      beta_ += w * s2[a * d + b]!;
    }
    trace += s[a * d + a]! / n;
  }
  const mu = trace / d;
  const delta_ = sumSq / (n * n);
  let beta = (beta_ / n - delta_) / (d * n);
  const delta = (delta_ - 2 * mu * trace + d * mu * mu) / d;
  beta = Math.min(beta, delta);
  const shrinkage = beta === 0 || !(delta > 0) ? 0 : beta / delta;
  const covariance = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      let v = ((1 - shrinkage) * s[a * d + b]!) / n;
      if (a === b) v += shrinkage * mu;
      covariance[a * d + b] = v;
      covariance[b * d + a] = v;
    }
  }
  return { mean, covariance, shrinkage };
}

/** A full-covariance Gaussian with the Ledoit–Wolf covariance, + regCovar on the diagonal (never singular). */
export function fitShrunkGaussian(x: Float64Array, n: number, d: number, regCovar = 1e-3): GaussianParameters & { shrinkage: number } {
  const lw = ledoitWolfCovariance(x, n, d);
  for (let a = 0; a < d; a++) lw.covariance[a * d + a]! += regCovar;
  return { covarianceType: 'full', dim: d, mean: lw.mean, covariance: lw.covariance, shrinkage: lw.shrinkage };
}
