import { describe, expect, it } from 'vitest';
import {
  BACKEND_JSON_FORMAT,
  BACKEND_KINDS,
  backendFromJSON,
  backendInput,
  clipScoreFromWindows,
  ensembleScores,
  fitBackend,
  lengthNormalize,
  modelOutputScore,
  type BackendKind,
  type FittedBackend,
} from '../../../src/engine/backends/index.ts';
import { Random } from '../../../src/engine/datasets/prng.ts';
import { loadGmmGolden, maxRelativeError } from './golden.ts';

const D = 16;

/** Unit vector e_axis (length D) plus Gaussian noise of the given std per dimension. */
function around(rng: Random, axis: number, noise: number, scale = 1): Float32Array {
  const v = new Float32Array(D);
  for (let j = 0; j < D; j++) v[j] = scale * ((j === axis ? 1 : 0) + noise * rng.gaussian());
  return v;
}

const rng = new Random(11);
// One machine id with two sub-clusters (directions e0 and e1), embeddings of arbitrary length.
const train = Array.from({ length: 200 }, (_, i) => around(rng, i % 2, 0.05, 0.5 + rng.next() * 3));
const centres = [around(rng, 0, 0, 2), around(rng, 1, 0, 0.3)];
const inliers = Array.from({ length: 20 }, (_, i) => around(rng, i % 2, 0.05, 2));
const outliers = Array.from({ length: 20 }, () => around(rng, 5, 0.05, 2));
const embeddingKinds = BACKEND_KINDS.filter((k) => backendInput(k) === 'embedding');

function fit(kind: BackendKind): FittedBackend {
  return fitBackend(kind, train, { centres });
}

describe('back-ends on embeddings', () => {
  it.each(embeddingKinds)('%s scores every outlier above every inlier', (kind) => {
    const b = fit(kind);
    const inlierMax = Math.max(...b.score(inliers));
    const outlierMin = Math.min(...b.score(outliers));
    expect(outlierMin).toBeGreaterThan(inlierMax);
  });

  it.each(embeddingKinds)('%s length-normalises: scaling a vector leaves its score unchanged', (kind) => {
    const b = fit(kind);
    const scaled = inliers.map((v) => Float64Array.from(v, (x) => x * 8));
    const shrunk = inliers.map((v) => Float64Array.from(v, (x) => x * 0.3));
    expect(maxRelativeError(b.score(scaled), b.score(inliers), 1e-6)).toBeLessThan(1e-12);
    expect(maxRelativeError(b.score(shrunk), b.score(inliers), 1e-6)).toBeLessThan(1e-9);
  });

  // Frame-level kinds take whole log-Mel windows: their round trip is in small-data.test.ts.
  it.each(BACKEND_KINDS.filter((k) => backendInput(k) !== 'logmel-window'))('%s survives a JSON round trip with identical scores', (kind) => {
    const b =
      kind === 'model-output'
        ? fitBackend(kind, [], { classIndex: 2 })
        : fitBackend(kind, train, { centres });
    const restored = backendFromJSON(JSON.parse(JSON.stringify(b)));
    expect(restored.kind).toBe(kind);
    const queries =
      kind === 'model-output'
        ? [Float32Array.of(0.1, 0.2, 0.7), Float32Array.of(0.5, 0.5, 0)]
        : [...inliers, ...outliers];
    expect(Array.from(restored.score(queries))).toEqual(Array.from(b.score(queries)));
  });

  it('gmm reproduces the golden scikit-learn anomaly scores through fitBackend', () => {
    const golden = loadGmmGolden();
    for (const c of golden.cases) {
      const b = fitBackend(
        'gmm',
        c.X.map((r) => Float64Array.from(r)),
        {
          centres: c.means_init.map((r) => Float64Array.from(r)),
          regCovar: c.reg_covar,
          tol: c.tol,
          maxIter: c.max_iter,
        },
      );
      expect(b.diagnostics).toMatchObject({ nComponents: c.K, nIter: c.n_iter, converged: c.converged });
      expect(
        maxRelativeError(b.score(c.queries.map((r) => Float64Array.from(r))), c.anomaly_score),
      ).toBeLessThan(1e-6);
    }
  });

  it('gmm has one component per centre; a single Gaussian equals a gmm with one centre', () => {
    expect(fit('gmm').diagnostics.nComponents).toBe(2);
    const single = fitBackend('gaussian-full', train);
    const gmm1 = fitBackend('gmm', train, { centres: [centres[0]!] });
    expect(maxRelativeError(gmm1.score(outliers), single.score(outliers))).toBeLessThan(1e-9);
  });

  it('cosine-mean is −cos(x, mean of the normalised training vectors)', () => {
    const b = fitBackend('cosine-mean', [Float32Array.of(3, 0), Float32Array.of(0, 0.5)]);
    const s = b.score([Float32Array.of(1, 0), Float32Array.of(2, 2), Float32Array.of(-1, -1)]);
    expect(s[0]).toBeCloseTo(-Math.SQRT1_2, 12);
    expect(s[1]).toBeCloseTo(-1, 12);
    expect(s[2]).toBeCloseTo(1, 12);
  });

  it('cosine-top10 averages the 10 largest cosines', () => {
    // Twelve training directions at 0°, 10°, …, 110°; a query at 0° sees 0°…90° as its top 10.
    const deg = Math.PI / 180;
    const trainAngles = Array.from({ length: 12 }, (_, i) =>
      Float64Array.of(Math.cos(10 * i * deg), Math.sin(10 * i * deg)),
    );
    const b = fitBackend('cosine-top10', trainAngles);
    const expected =
      -Array.from({ length: 10 }, (_, i) => Math.cos(10 * i * deg)).reduce((a, c) => a + c, 0) / 10;
    expect(b.score([Float32Array.of(5, 0)])[0]).toBeCloseTo(expected, 12);
    // With fewer than 10 training vectors all of them are used.
    const few = fitBackend('cosine-top10', trainAngles.slice(0, 3));
    expect(few.score([Float32Array.of(1, 0)])[0]).toBeCloseTo(
      -(1 + Math.cos(10 * deg) + Math.cos(20 * deg)) / 3,
      12,
    );
  });

  it('rejects bad input with clear messages', () => {
    expect(() => fitBackend('gmm', train)).toThrow(/centres/);
    expect(() => fitBackend('gaussian-full', [])).toThrow(/no training vectors/);
    expect(() => fitBackend('nope' as BackendKind, train)).toThrow(/unknown back-end "nope"/);
    expect(() => fitBackend('cosine-mean', [Float32Array.of(1, 2), Float32Array.of(1)])).toThrow(
      /vector 1 has 1 values, expected 2/,
    );
    expect(() => fitBackend('gaussian-diag', [Float32Array.of(1, NaN)])).toThrow(/non-finite/);
    expect(() => fit('gaussian-full').score([new Float32Array(3)])).toThrow(/expected 16/);
    expect(() => fitBackend('model-output', [])).toThrow(/class index/);
  });
});

describe('log-Mel representation back-ends', () => {
  it('mean-logmel fits one full Gaussian without length normalisation', () => {
    const reps = Array.from({ length: 300 }, () => {
      const v = new Float32Array(8);
      for (let j = 0; j < 8; j++) v[j] = -1 + 0.3 * rng.gaussian();
      return v;
    });
    const b = fitBackend('mean-logmel', reps);
    const typical = Float32Array.from({ length: 8 }, () => -1);
    const louder = Float32Array.from({ length: 8 }, () => 1); // same direction reversed, different length
    const scaled = Float32Array.from({ length: 8 }, () => -3); // same direction as typical, 3× longer
    const [sTypical, sLouder, sScaled] = b.score([typical, louder, scaled]);
    expect(sLouder!).toBeGreaterThan(sTypical! + 10);
    expect(sScaled!).toBeGreaterThan(sTypical! + 10);
    expect(backendInput('max-logmel')).toBe('max-logmel');
  });
});

describe('model output, ensembles and windows', () => {
  it('model-output scores −log P(class) and guards P = 0', () => {
    expect(modelOutputScore([0.2, 0.5, 0.3], 1)).toBeCloseTo(-Math.log(0.5), 15);
    expect(modelOutputScore([1, 0], 1)).toBeCloseTo(744.44, 1);
    expect(() => modelOutputScore([0.5, 0.5], 2)).toThrow(/outside 0…1/);
    const b = fitBackend('model-output', [Float32Array.of(0.3, 0.7)], { classIndex: 1 });
    expect(Array.from(b.score([Float32Array.of(0.9, 0.1), Float32Array.of(0.1, 0.9)]))).toEqual([
      -Math.log(Math.fround(0.1)),
      -Math.log(Math.fround(0.9)),
    ]);
    expect(() => b.score([Float32Array.of(0.2, 0.3, 0.5)])).toThrow(/3 probabilities, expected 2/);
  });

  it('ensembleScores sums element-wise and checks lengths', () => {
    expect(Array.from(ensembleScores([Float64Array.of(1, 2), [10, 20], Float64Array.of(-1, 0.5)]))).toEqual([
      10, 22.5,
    ]);
    expect(() => ensembleScores([[1, 2], [1]])).toThrow(/list 1 has 1 scores/);
    expect(() => ensembleScores([])).toThrow(/no score lists/);
  });

  it('clipScoreFromWindows takes the most anomalous window', () => {
    expect(clipScoreFromWindows([0.1, 3, -2])).toBe(3);
    expect(() => clipScoreFromWindows([])).toThrow(/no window scores/);
  });

  it('lengthNormalize gives unit vectors and keeps zero vectors', () => {
    const [a, z] = lengthNormalize([Float32Array.of(3, 4), Float32Array.of(0, 0)]);
    expect(Array.from(a!)).toEqual([0.6, 0.8]);
    expect(Array.from(z!)).toEqual([0, 0]);
  });
});

describe('backend JSON form', () => {
  const f64 = (...values: number[]) => Buffer.from(Float64Array.from(values).buffer).toString('base64');

  it('names the problem', () => {
    expect(() => backendFromJSON({ format: BACKEND_JSON_FORMAT, kind: 'gmm', dim: 2 })).toThrow(
      /invalid back-end JSON: nComponents/,
    );
    expect(() => backendFromJSON({ format: 'other', kind: 'cosine-mean', dim: 1, mean: f64(1) })).toThrow(
      /invalid back-end JSON: format/,
    );
    expect(() =>
      backendFromJSON({ format: BACKEND_JSON_FORMAT, kind: 'cosine-mean', dim: 3, mean: f64(1) }),
    ).toThrow(/mean has 1 values, expected 3/);
    expect(() =>
      backendFromJSON({ format: BACKEND_JSON_FORMAT, kind: 'cosine-mean', dim: 1, mean: '#' }),
    ).toThrow(/mean: not base64/);
    expect(() =>
      backendFromJSON({ format: BACKEND_JSON_FORMAT, kind: 'cosine-mean', dim: 1, mean: f64(NaN) }),
    ).toThrow(/not finite/);
    expect(() => backendFromJSON(null)).toThrow(/invalid back-end JSON/);
  });

  it('stores float64 exactly and covariances as lower triangles', () => {
    const b = fitBackend('gaussian-full', [
      Float64Array.of(0.1, 0.2),
      Float64Array.of(0.3, 0.7),
      Float64Array.of(-1, 0),
    ]);
    const json = b.toJSON() as { covariance: string; mean: string };
    expect(Buffer.from(json.covariance, 'base64').length).toBe(3 * 8); // 2×2 symmetric → 3 values
    const restored = backendFromJSON(JSON.parse(JSON.stringify(b)));
    expect(restored.toJSON()).toEqual(json);
    const bytes = Buffer.from(json.mean, 'base64');
    const mean = [0, 1].map((i) => bytes.readDoubleLE(i * 8));
    const unit = [
      [0.1, 0.2],
      [0.3, 0.7],
      [-1, 0],
    ].map(([a, c]) => [a! / Math.hypot(a!, c!), c! / Math.hypot(a!, c!)]);
    expect(mean[0]).toBeCloseTo((unit[0]![0]! + unit[1]![0]! + unit[2]![0]!) / 3, 15);
    expect(mean[1]).toBeCloseTo((unit[0]![1]! + unit[1]![1]! + unit[2]![1]!) / 3, 15);
  });
});
