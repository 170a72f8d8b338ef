import { describe, expect, it } from 'vitest';
import { fitGaussian, SingleGaussian } from '../../../src/engine/backends/gaussian.ts';
import { Random } from '../../../src/engine/datasets/prng.ts';
import { flat, loadGmmGolden, maxRelativeError } from './golden.ts';

const golden = loadGmmGolden();

describe('single Gaussian log-density', () => {
  it('full covariance matches the golden (scipy) log-densities', () => {
    const g = golden.gaussian;
    const d = g.mean.length;
    const gaussian = new SingleGaussian({
      covarianceType: 'full',
      dim: d,
      mean: flat(g.mean),
      covariance: flat(g.cov),
    });
    const logDens = gaussian.logDensities(flat(g.points), g.points.length);
    expect(maxRelativeError(logDens, g.log_density)).toBeLessThan(1e-12);
  });

  it('diagonal covariance is the product of 1-d normals and agrees with the full form', () => {
    const mean = Float64Array.of(1, -2, 0.5);
    const variances = Float64Array.of(0.25, 4, 1.5);
    const diag = new SingleGaussian({ covarianceType: 'diag', dim: 3, mean, covariance: variances });
    const fullCov = new Float64Array(9);
    variances.forEach((v, j) => (fullCov[j * 3 + j] = v));
    const full = new SingleGaussian({ covarianceType: 'full', dim: 3, mean, covariance: fullCov });
    const x = Float64Array.of(0, 0, 0, 1, -2, 0.5, 3, 1, -1);
    const byHand = [0, 1, 2].map((i) =>
      [0, 1, 2].reduce((s, j) => {
        const z = x[i * 3 + j]! - mean[j]!;
        return s - 0.5 * Math.log(2 * Math.PI * variances[j]!) - (z * z) / (2 * variances[j]!);
      }, 0),
    );
    expect(maxRelativeError(diag.logDensities(x, 3), byHand)).toBeLessThan(1e-14);
    expect(maxRelativeError(full.logDensities(x, 3), byHand)).toBeLessThan(1e-14);
  });

  it('spherical covariance equals the diagonal one with equal variances', () => {
    const mean = Float64Array.of(0.3, 0.1);
    const sph = new SingleGaussian({
      covarianceType: 'spherical',
      dim: 2,
      mean,
      covariance: Float64Array.of(0.7),
    });
    const diag = new SingleGaussian({
      covarianceType: 'diag',
      dim: 2,
      mean,
      covariance: Float64Array.of(0.7, 0.7),
    });
    const x = Float64Array.of(1, 2, -1, 0.5);
    expect(Array.from(sph.logDensities(x, 2))).toEqual(Array.from(diag.logDensities(x, 2)));
    // At the mean: −(d/2)·ln(2π·σ²).
    expect(sph.logDensities(mean, 1)[0]).toBeCloseTo(-Math.log(2 * Math.PI * 0.7), 14);
  });

  it('rejects inconsistent parameters', () => {
    expect(
      () =>
        new SingleGaussian({
          covarianceType: 'diag',
          dim: 2,
          mean: Float64Array.of(0, 0),
          covariance: Float64Array.of(1),
        }),
    ).toThrow(/expected 2, 2/);
    expect(
      () =>
        new SingleGaussian({
          covarianceType: 'full',
          dim: 2,
          mean: Float64Array.of(0, 0),
          covariance: Float64Array.of(1, 2, 2, 1),
        }),
    ).toThrow(/not positive definite/);
  });
});

describe('fitGaussian (maximum likelihood + regCovar)', () => {
  it('is the exact MLE on a small set', () => {
    const x = Float64Array.of(0, 0, 2, 0, 0, 2, 2, 2);
    const full = fitGaussian(x, 4, 2, 'full', 1e-3);
    expect(Array.from(full.mean)).toEqual([1, 1]);
    expect(Array.from(full.covariance)).toEqual([1.001, 0, 0, 1.001]);
    expect(Array.from(fitGaussian(x, 4, 2, 'diag', 0).covariance)).toEqual([1, 1]);
    const skew = Float64Array.of(0, 0, 4, 0, 0, 2, 4, 2);
    expect(Array.from(fitGaussian(skew, 4, 2, 'spherical', 0).covariance)).toEqual([(4 + 1) / 2]);
  });

  it('recovers a known correlated Gaussian from samples', () => {
    const rng = new Random(7);
    const n = 20000;
    // x = A·z + μ with Σ = A·Aᵀ = [[4, 1.2], [1.2, 1]].
    const a = [2, 0, 0.6, 0.8];
    const x = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const z0 = rng.gaussian();
      const z1 = rng.gaussian();
      x[2 * i] = 3 + a[0]! * z0;
      x[2 * i + 1] = -1 + a[2]! * z0 + a[3]! * z1;
    }
    const g = fitGaussian(x, n, 2, 'full', 0);
    expect(g.mean[0]).toBeCloseTo(3, 1);
    expect(g.mean[1]).toBeCloseTo(-1, 1);
    expect(maxRelativeError(g.covariance, [4, 1.2, 1.2, 1])).toBeLessThan(0.05);
  });
});
