import { describe, expect, it } from 'vitest';
import { logDensities } from '../../../src/engine/backends/gaussian-density.ts';
import {
  fitGmm,
  GaussianMixture,
  initGmmFromMeans,
  prepareComponents,
} from '../../../src/engine/backends/gmm.ts';
import { Random } from '../../../src/engine/datasets/prng.ts';
import { normalizeRowsInPlace } from '../../../src/engine/backends/vectors.ts';
import { flat, loadGmmGolden, maxRelativeError } from './golden.ts';

const golden = loadGmmGolden();
const tol = golden.tolerance_relative;

describe('GMM (full covariance, EM) against scikit-learn golden vectors', () => {
  golden.cases.forEach((c, index) => {
    describe(`case ${index}: N=${c.N} D=${c.D} K=${c.K}`, () => {
      const x = flat(c.X);
      const init = initGmmFromMeans(x, c.N, c.D, flat(c.means_init), c.reg_covar);
      const fit = fitGmm(x, c.N, c.D, init, { regCovar: c.reg_covar, tol: c.tol, maxIter: c.max_iter });
      const gmm = new GaussianMixture(fit.params);
      const queries = flat(c.queries);

      it('reproduces the deterministic init (weights, covariances)', () => {
        expect(maxRelativeError(init.weights, c.init_weights)).toBeLessThan(tol);
        expect(maxRelativeError(init.covariances, flat(c.init_covariances))).toBeLessThan(tol);
      });
      it('converges after the same number of iterations', () => {
        expect(fit.converged).toBe(c.converged);
        expect(fit.nIter).toBe(c.n_iter);
      });
      it('reproduces weights, means, covariances and the lower bound', () => {
        expect(maxRelativeError(fit.params.weights, c.weights)).toBeLessThan(tol);
        expect(maxRelativeError(fit.params.means, flat(c.means))).toBeLessThan(tol);
        expect(maxRelativeError(fit.params.covariances, flat(c.covariances))).toBeLessThan(tol);
        expect(maxRelativeError([fit.lowerBound], [c.lower_bound])).toBeLessThan(tol);
      });
      it('reproduces component log-densities, score_samples and anomaly scores', () => {
        const n = c.queries.length;
        expect(
          maxRelativeError(gmm.componentLogDensities(queries, n), flat(c.component_log_density)),
        ).toBeLessThan(tol);
        expect(maxRelativeError(gmm.scoreSamples(queries, n), c.score_samples)).toBeLessThan(tol);
        expect(maxRelativeError(gmm.anomalyScores(queries, n), c.anomaly_score)).toBeLessThan(tol);
      });
    });
  });
});

describe('GMM behaviour on data with known answers', () => {
  /** n points of dimension d around K random unit centres (noise std per dimension), normalised. */
  function clustered(seed: number, n: number, d: number, k: number, noise: number) {
    const rng = new Random(seed);
    const centres = new Float64Array(k * d).map(() => rng.gaussian());
    normalizeRowsInPlace(centres, d);
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) x[i * d + j] = centres[(i % k) * d + j]! + noise * rng.gaussian();
    return { x: normalizeRowsInPlace(x, d), centres };
  }

  it('recovers the weights and means of a well-separated two-component mixture', () => {
    const rng = new Random(3);
    const n = 3000;
    const x = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const second = i % 3 === 0; // weight 1/3
      x[2 * i] = (second ? 5 : -5) + rng.gaussian() * (second ? 0.5 : 1);
      x[2 * i + 1] = (second ? 0 : 2) + rng.gaussian() * (second ? 0.5 : 1);
    }
    const fit = fitGmm(x, n, 2, initGmmFromMeans(x, n, 2, Float64Array.of(-1, 0, 1, 0)));
    expect(fit.converged).toBe(true);
    expect(fit.params.weights[0]).toBeCloseTo(2 / 3, 2);
    expect(fit.params.means[0]).toBeCloseTo(-5, 1);
    expect(fit.params.means[1]).toBeCloseTo(2, 1);
    expect(fit.params.means[2]).toBeCloseTo(5, 1);
    expect(fit.params.covariances[4]).toBeCloseTo(0.25 + 1e-3, 1);
  });

  it('anomaly scores (pruned) equal −max of the full component log-densities exactly', () => {
    const { x, centres } = clustered(5, 240, 24, 6, 0.08);
    const gmm = new GaussianMixture(fitGmm(x, 240, 24, initGmmFromMeans(x, 240, 24, centres)).params);
    const queries = clustered(6, 61, 24, 6, 0.3).x; // odd count: exercises the unpaired last point
    const dens = gmm.componentLogDensities(queries, 61);
    const scores = gmm.anomalyScores(queries, 61);
    const logW = gmm.params.weights.map(Math.log);
    const mixture = gmm.scoreSamples(queries, 61);
    for (let i = 0; i < 61; i++) {
      const row = Array.from(dens.subarray(i * 6, i * 6 + 6));
      expect(scores[i]).toBe(-Math.max(...row));
      const weighted = row.map((v, c) => v + logW[c]!);
      const max = Math.max(...weighted);
      const lse = max + Math.log(weighted.reduce((s, v) => s + Math.exp(v - max), 0));
      expect(mixture[i]).toBe(lse);
    }
  });

  it('pruning abandons the components that cannot win (margin 0) and keeps those within the margin', () => {
    const { x, centres } = clustered(9, 300, 32, 6, 0.05);
    const gmm = new GaussianMixture(fitGmm(x, 300, 32, initGmmFromMeans(x, 300, 32, centres)).params);
    const comps = prepareComponents(gmm.params);
    const full = logDensities(x, 300, comps);
    const pruned = logDensities(x, 300, comps, 0);
    const abandoned = pruned.filter((v) => v === -Infinity).length;
    expect(abandoned).toBeGreaterThan(0.8 * 300 * 5); // most of the 5 non-best components per point
    pruned.forEach((v, i) => {
      if (v !== -Infinity) expect(v).toBe(full[i]);
    });
    const margin = 50;
    const withMargin = logDensities(x, 300, comps, margin);
    for (let i = 0; i < 300; i++) {
      const row = full.subarray(i * 6, i * 6 + 6);
      const best = Math.max(...row);
      row.forEach((v, c) => {
        if (v >= best - margin) expect(withMargin[i * 6 + c]).toBe(v);
      });
    }
  });

  it('a centre that attracts no training point stays an inert component', () => {
    const { x, centres } = clustered(8, 200, 6, 2, 0.05);
    const far = Float64Array.of(
      ...centres,
      ...Array.from({ length: 6 }, (_, j) => -centres[j]! - centres[6 + j]!),
    );
    normalizeRowsInPlace(far, 6);
    const init = initGmmFromMeans(x, 200, 6, far);
    expect(init.weights[2]).toBe(0);
    const fit = fitGmm(x, 200, 6, init);
    expect(fit.params.weights[2]).toBeLessThan(1e-12);
    expect(Number.isFinite(fit.lowerBound)).toBe(true);
    expect(new GaussianMixture(fit.params).anomalyScores(x, 200).every(Number.isFinite)).toBe(true);
  });

  it('rejects bad data and init with clear messages', () => {
    expect(() => initGmmFromMeans(Float64Array.of(1, NaN), 1, 2, Float64Array.of(0, 0))).toThrow(
      /not finite/,
    );
    expect(() => initGmmFromMeans(Float64Array.of(1, 2, 3), 1, 2, Float64Array.of(0, 0))).toThrow(
      /expected 1×2/,
    );
    expect(() => initGmmFromMeans(Float64Array.of(1, 2), 1, 2, Float64Array.of(0, 0, 0))).toThrow(
      /not a multiple/,
    );
  });
});
