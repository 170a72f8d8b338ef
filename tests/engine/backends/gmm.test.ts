import { describe, expect, it } from 'vitest';
import { fitGmm, GaussianMixture, initGmmFromMeans } from '../../../src/engine/backends/gmm.ts';
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
        expect(maxRelativeError(gmm.componentLogDensities(queries, n), flat(c.component_log_density))).toBeLessThan(tol);
        expect(maxRelativeError(gmm.scoreSamples(queries, n), c.score_samples)).toBeLessThan(tol);
        expect(maxRelativeError(gmm.anomalyScores(queries, n), c.anomaly_score)).toBeLessThan(tol);
      });
    });
  });
});
