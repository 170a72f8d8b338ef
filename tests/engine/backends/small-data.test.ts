import { describe, expect, it } from 'vitest';
import { backendFromJSON, fitBackend, logMelVector } from '../../../src/engine/backends/index.ts';
import { sphericalKMeans } from '../../../src/engine/backends/kmeans.ts';
import { ledoitWolfCovariance } from '../../../src/engine/backends/shrinkage.ts';
import { PATCH_FRAMES } from '../../../src/engine/backends/frames.ts';
import { N_MELS } from '../../../src/engine/features/params.ts';

const FRAMES = 313;

/** A frames×128 window with value(frame, band). */
function windowOf(value: (frame: number, band: number) => number, frames = FRAMES): Float32Array {
  const w = new Float32Array(frames * N_MELS);
  for (let f = 0; f < frames; f++) for (let m = 0; m < N_MELS; m++) w[f * N_MELS + m] = value(f, m);
  return w;
}

/** Sylvester Hadamard matrix entry H[i][j] of order 2^k: (−1)^popcount(i & j). */
function hadamard(i: number, j: number): number {
  let x = i & j;
  let bits = 0;
  while (x) {
    bits += x & 1;
    x >>= 1;
  }
  return bits % 2 === 0 ? 1 : -1;
}

describe('small-data back-ends: known answers', () => {
  it('knn-cosine scores 1 − the largest cosine to a training embedding, after length normalisation', () => {
    const b = fitBackend('knn-cosine', [Float64Array.of(2, 0, 0), Float64Array.of(0, 5, 0)]);
    const s = b.score([Float64Array.of(3, 0, 0), Float64Array.of(1, 1, 0), Float64Array.of(0, 0, 4), Float64Array.of(-1, 0, 0)]);
    expect(s[0]).toBeCloseTo(0, 15);
    expect(s[1]).toBeCloseTo(1 - Math.SQRT1_2, 15);
    expect(s[2]).toBeCloseTo(1, 15);
    expect(s[3]).toBeCloseTo(1, 15); // cos 180° = −1 to e0, 0 to e1: the nearest is e1
  });

  it('kmeans-cosine finds the two directions of two symmetric clusters exactly and scores by the nearer centre', () => {
    const e = 0.2;
    const train = [Float64Array.of(1, e, 0), Float64Array.of(1, -e, 0), Float64Array.of(e, 1, 0), Float64Array.of(-e, 1, 0)];
    const km = sphericalKMeans(Float64Array.from(train.flatMap((v) => [...v].map((x) => x / Math.hypot(...v)))), 4, 3, 2);
    const centres = [Array.from(km.centres.subarray(0, 3)), Array.from(km.centres.subarray(3, 6))].sort((a, b) => b[0]! - a[0]!);
    expect(centres[0]![0]).toBeCloseTo(1, 12);
    expect(centres[0]![1]).toBeCloseTo(0, 12);
    expect(centres[1]![1]).toBeCloseTo(1, 12);
    expect(Array.from(km.assignment.slice(0, 2))).toEqual([km.assignment[0], km.assignment[0]]);
    expect(km.assignment[2]).not.toBe(km.assignment[0]);
    // Through fitBackend: K = min(16, N), so with 4 training points every point is a centre.
    const b = fitBackend('kmeans-cosine', train);
    expect(b.diagnostics.references).toBe(4);
    const [s0, s1] = b.score([Float64Array.of(5, 0, 0), Float64Array.of(0, 0, 1)]);
    expect(s0).toBeCloseTo(1 - 1 / Math.hypot(1, e), 12);
    expect(s1).toBeCloseTo(1, 12);
    const many = Array.from({ length: 40 }, (_, i) => Float64Array.of(i % 2, 1 - (i % 2), 0.01 * i));
    expect(fitBackend('kmeans-cosine', many).diagnostics.references).toBe(16);
    // More centres asked for than points: one centre per point.
    expect(sphericalKMeans(Float64Array.of(1, 0, 0, 1), 2, 2, 16).k).toBe(2);
  });

  it('Ledoit–Wolf shrinkage matches the Ledoit & Wolf (2004) formula computed with numpy', () => {
    const X = [
      [1, 2, 0.5],
      [2, 0, 1.5],
      [0, 1, -1],
      [3, 4, 2],
      [1.5, -1, 0],
    ];
    const lw = ledoitWolfCovariance(Float64Array.from(X.flat()), 5, 3);
    expect(lw.shrinkage).toBeCloseTo(0.7218208092485547, 12);
    const expected = [
      [1.5052745664739884, 0.19472543352601168, 0.27817919075144526],
      [0.19472543352601168, 2.050505780346821, 0.2447976878612718],
      [0.27817919075144526, 0.2447976878612718, 1.5442196531791907],
    ];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) expect(lw.covariance[a * 3 + b]).toBeCloseTo(expected[a]![b]!, 12);
  });

  it('meanstd-logmel and robust-logmel compute per-band mean/std and median/MAD', () => {
    const values = [1, 2, 3, 4, 100];
    const w = windowOf((f, m) => values[f]! + m, 5);
    const ms = logMelVector('meanstd-logmel', w);
    const rb = logMelVector('robust-logmel', w);
    expect(ms.length).toBe(2 * N_MELS);
    expect(ms[7]).toBeCloseTo(22 + 7, 4);
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - 22) ** 2, 0) / 5);
    expect(ms[N_MELS + 7]).toBeCloseTo(sd, 4);
    expect(rb[7]).toBe(3 + 7); // median
    expect(rb[N_MELS + 7]).toBe(1); // median of |−2, −1, 0, 1, 97|
    // An even number of frames: the mean of the two middle values.
    expect(logMelVector('robust-logmel', windowOf((f) => f, 4))[0]).toBe(1.5);
  });

  it('frame-gaussian fits all frames: Hadamard frames give N(0, I), and a window scores the mean −log N of its frames', () => {
    // 256 frames of a Sylvester Hadamard matrix's columns 1…128: every band has mean 0, variance 1, and
    // the bands are uncorrelated, so the maximum-likelihood Gaussian is N(0, I) (+ 1e-3 on the variances).
    const train = windowOf((f, m) => hadamard(f, m + 1), 256);
    const b = fitBackend('frame-gaussian', [train]);
    const v = 1 + 1e-3;
    const nll = (sq: number) => 0.5 * (N_MELS * Math.log(2 * Math.PI) + N_MELS * Math.log(v) + sq / v);
    const test = windowOf((f) => (f % 2 === 0 ? 0 : 2), 4); // frames: 0, 2·1, 0, 2·1
    const [score] = b.score([test]);
    expect(score).toBeCloseTo((2 * nll(0) + 2 * nll(4 * N_MELS)) / 4, 8);
    expect(() => fitBackend('frame-gaussian', [new Float32Array(100)])).toThrow(/not whole frames of 128 bands/);
  });

  it('patch-knn: a window scores the mean of its largest 10 % patch distances to the nearest training patch', () => {
    const b = fitBackend('patch-knn', [windowOf(() => 0)]);
    // One patch of 8 frames is 1 in every band (distance √128); the other 38 patches are 0.
    const test = windowOf((f) => (f >= 3 * PATCH_FRAMES && f < 4 * PATCH_FRAMES ? 1 : 0));
    const patches = Math.floor(FRAMES / PATCH_FRAMES);
    const top = Math.ceil(0.1 * patches);
    const [score, quiet] = b.score([test, windowOf(() => 0)]);
    expect(score).toBeCloseTo(Math.sqrt(N_MELS) / top, 10);
    expect(quiet).toBe(0);
  });

  it.each(['knn-cosine', 'kmeans-cosine', 'meanstd-logmel', 'robust-logmel', 'frame-gaussian', 'patch-knn'] as const)('%s survives a JSON round trip with identical scores', (kind) => {
    const window = (seed: number) => windowOf((f, m) => Math.sin(seed * 0.37 + f * 0.11 + m * 0.07) + 0.01 * seed);
    const isWindow = kind === 'frame-gaussian' || kind === 'patch-knn';
    const vec = (seed: number) => (isWindow ? window(seed) : kind === 'meanstd-logmel' || kind === 'robust-logmel' ? logMelVector(kind, window(seed)) : Float64Array.from({ length: 8 }, (_, j) => Math.cos(seed + j)));
    const b = fitBackend(kind, [1, 2, 3, 4, 5].map(vec));
    const restored = backendFromJSON(JSON.parse(JSON.stringify(b)));
    const queries = [6, 7].map(vec);
    expect(restored.kind).toBe(kind);
    expect(Array.from(restored.score(queries))).toEqual(Array.from(b.score(queries)));
  });
});
