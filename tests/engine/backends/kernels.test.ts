import { afterAll, describe, expect, it } from 'vitest';
import { fitGmm, GaussianMixture, initGmmFromMeans } from '../../../src/engine/backends/gmm.ts';
import { loadMahalanobisWasm, useMahalanobisWasm } from '../../../src/engine/backends/mahalanobis-wasm.ts';
import { normalizeRowsInPlace } from '../../../src/engine/backends/vectors.ts';
import { Random } from '../../../src/engine/datasets/prng.ts';
import { flat, loadGmmGolden, maxRelativeError } from './golden.ts';

afterAll(() => useMahalanobisWasm(true));

describe('Mahalanobis kernels (WebAssembly SIMD and JavaScript)', () => {
  it('the SIMD module assembles and validates on this runtime', () => {
    useMahalanobisWasm(true);
    expect(loadMahalanobisWasm()).not.toBeNull();
  });

  it('both reproduce every golden GMM case', () => {
    const golden = loadGmmGolden();
    for (const wasm of [true, false]) {
      useMahalanobisWasm(wasm);
      for (const c of golden.cases) {
        const x = flat(c.X);
        const fit = fitGmm(x, c.N, c.D, initGmmFromMeans(x, c.N, c.D, flat(c.means_init), c.reg_covar), {
          regCovar: c.reg_covar,
          tol: c.tol,
          maxIter: c.max_iter,
        });
        expect(fit.nIter).toBe(c.n_iter);
        expect(maxRelativeError(fit.params.covariances, flat(c.covariances))).toBeLessThan(1e-6);
        const dens = new GaussianMixture(fit.params).componentLogDensities(flat(c.queries), c.queries.length);
        expect(maxRelativeError(dens, flat(c.component_log_density))).toBeLessThan(1e-6);
      }
    }
  });

  it('agree to rounding in an odd dimension, with and without pruning', () => {
    const rng = new Random(21);
    const d = 37; // not a multiple of 4: exercises the zero padding / the scalar tail
    const k = 5;
    const n = 151;
    const centres = normalizeRowsInPlace(
      new Float64Array(k * d).map(() => rng.gaussian()),
      d,
    );
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) x[i * d + j] = centres[(i % k) * d + j]! + 0.1 * rng.gaussian();
    normalizeRowsInPlace(x, d);
    const gmm = new GaussianMixture(fitGmm(x, n, d, initGmmFromMeans(x, n, d, centres)).params);
    const run = (wasm: boolean) => {
      useMahalanobisWasm(wasm);
      return {
        dens: gmm.componentLogDensities(x, n),
        scores: gmm.anomalyScores(x, n),
        mix: gmm.scoreSamples(x, n),
      };
    };
    const a = run(true);
    const b = run(false);
    expect(maxRelativeError(a.dens, b.dens)).toBeLessThan(1e-12);
    expect(maxRelativeError(a.scores, b.scores)).toBeLessThan(1e-12);
    expect(maxRelativeError(a.mix, b.mix)).toBeLessThan(1e-12);
  });

  it('scoring one vector at a time with two alternating mixtures matches batch scoring', () => {
    useMahalanobisWasm(true);
    const rng = new Random(4);
    const d = 12;
    const make = (seed: number) => {
      const r = new Random(seed);
      const centres = normalizeRowsInPlace(
        new Float64Array(3 * d).map(() => r.gaussian()),
        d,
      );
      const x = normalizeRowsInPlace(
        new Float64Array(90 * d).map(
          (_, i) => centres[(Math.floor(i / d) % 3) * d + (i % d)]! + 0.1 * r.gaussian(),
        ),
        d,
      );
      return new GaussianMixture(fitGmm(x, 90, d, initGmmFromMeans(x, 90, d, centres)).params);
    };
    const first = make(1);
    const second = make(2);
    const queries = normalizeRowsInPlace(
      new Float64Array(10 * d).map(() => rng.gaussian()),
      d,
    );
    const batchFirst = first.anomalyScores(queries, 10);
    const batchSecond = second.anomalyScores(queries, 10);
    for (let i = 0; i < 10; i++) {
      const q = queries.slice(i * d, (i + 1) * d);
      expect(first.anomalyScores(q, 1)[0]).toBe(batchFirst[i]);
      expect(second.anomalyScores(q, 1)[0]).toBe(batchSecond[i]);
    }
  });
});
