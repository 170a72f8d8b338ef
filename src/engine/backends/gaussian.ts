/**
 * Single Gaussian back-ends (method.md §6): N(μ, Σ) fitted by maximum likelihood with regCovar
 * added to the variances — what scikit-learn's GaussianMixture(n_components=1, covariance_type=…)
 * converges to — with full, diagonal or spherical (one shared variance) covariance.
 * Points are row-major n×d Float64Arrays.
 */
import { logDensities, prepareGaussian, type PreparedGaussian } from './gaussian-density.ts';
import { LOG_2PI } from './linalg.ts';

export type CovarianceType = 'full' | 'diag' | 'spherical';

export interface GaussianParameters {
  covarianceType: CovarianceType;
  dim: number;
  /** μ, length d. */
  mean: Float64Array;
  /** full: row-major d×d; diag: the d variances; spherical: one variance. */
  covariance: Float64Array;
}

/** Maximum-likelihood N(μ, Σ) of points x (n×d): Σ = scatter/n (+ regCovar on the variances). */
export function fitGaussian(
  x: Float64Array,
  n: number,
  d: number,
  covarianceType: CovarianceType,
  regCovar = 1e-3,
): GaussianParameters {
  if (n < 1 || x.length !== n * d)
    throw new Error(`Gaussian fit needs n ≥ 1 points of dimension ${d} (got ${x.length} values for n=${n})`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const c = new Float64Array(d);
  if (covarianceType === 'full') {
    const cov = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) c[j] = x[i * d + j]! - mean[j]!;
      for (let a = 0; a < d; a++) {
        const ca = c[a]!;
        const row = a * d;
        for (let b = 0; b <= a; b++) cov[row + b]! += ca * c[b]!;
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) {
        cov[a * d + b]! /= n;
        cov[b * d + a] = cov[a * d + b]!;
      }
      cov[a * d + a] = cov[a * d + a]! / n + regCovar;
    }
    return { covarianceType, dim: d, mean, covariance: cov };
  }
  const variances = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const diff = x[i * d + j]! - mean[j]!;
      variances[j]! += diff * diff;
    }
  }
  for (let j = 0; j < d; j++) variances[j] = variances[j]! / n + regCovar;
  if (covarianceType === 'diag') return { covarianceType, dim: d, mean, covariance: variances };
  let avg = 0;
  for (let j = 0; j < d; j++) avg += variances[j]!;
  return { covarianceType, dim: d, mean, covariance: Float64Array.of(avg / d) };
}

/** A fitted single Gaussian, ready to evaluate log N(x; μ, Σ) for points x (n×d). */
export class SingleGaussian {
  readonly params: GaussianParameters;
  private readonly prepared: PreparedGaussian | null;

  constructor(params: GaussianParameters) {
    const { covarianceType, dim, mean, covariance } = params;
    const expected = covarianceType === 'full' ? dim * dim : covarianceType === 'diag' ? dim : 1;
    if (mean.length !== dim || covariance.length !== expected) {
      throw new Error(
        `${covarianceType} Gaussian of dimension ${dim}: mean has ${mean.length}, covariance ${covariance.length} values (expected ${dim}, ${expected})`,
      );
    }
    if (covarianceType !== 'full' && !covariance.every((v) => v > 0)) {
      throw new Error(`${covarianceType} Gaussian: variances must be positive`);
    }
    this.params = params;
    this.prepared = covarianceType === 'full' ? prepareGaussian(mean, covariance, dim) : null;
  }

  /** log N(x_i; μ, Σ), length n. */
  logDensities(x: Float64Array, n: number): Float64Array {
    const { dim: d, mean, covariance } = this.params;
    if (x.length !== n * d) throw new Error(`expected ${n}×${d} values, got ${x.length}`);
    if (this.prepared) return logDensities(x, n, [this.prepared]);
    const out = new Float64Array(n);
    const spherical = this.params.covarianceType === 'spherical';
    let logDet = 0;
    for (let j = 0; j < d; j++) logDet += Math.log(spherical ? covariance[0]! : covariance[j]!);
    for (let i = 0; i < n; i++) {
      let m = 0;
      for (let j = 0; j < d; j++) {
        const diff = x[i * d + j]! - mean[j]!;
        m += (diff * diff) / (spherical ? covariance[0]! : covariance[j]!);
      }
      out[i] = -0.5 * (d * LOG_2PI + logDet + m);
    }
    return out;
  }
}
