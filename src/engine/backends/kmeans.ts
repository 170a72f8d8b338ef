/**
 * Spherical k-means on length-normalised vectors (row-major n×d Float64Array), deterministic: the
 * k-means-centre back-end of later sub-cluster AdaCos work (score = minimum cosine distance to
 * the centres). Initialisation is farthest-point: the first centre is the point most similar to
 * the mean direction, each next one the point farthest (in cosine) from the centres so far; then
 * Lloyd iterations (assign by largest cosine, centre = normalised sum) until no point moves.
 */

export interface SphericalKMeansResult {
  /** k×d, unit length. */
  centres: Float64Array;
  k: number;
  /** Cluster of each point. */
  assignment: Int32Array;
  iterations: number;
}

function dotRow(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[ao + j]! * b[bo + j]!;
  return s;
}

function normalizeRow(v: Float64Array, o: number, d: number): boolean {
  let s = 0;
  for (let j = 0; j < d; j++) s += v[o + j]! * v[o + j]!;
  if (!(s > 0)) return false;
  const norm = Math.sqrt(s);
  for (let j = 0; j < d; j++) v[o + j]! /= norm;
  return true;
}

/** k centres (k ≤ n, capped) of unit-length points x (n×d). */
export function sphericalKMeans(x: Float64Array, n: number, d: number, k: number, maxIter = 100): SphericalKMeansResult {
  if (n < 1 || x.length !== n * d) throw new Error(`k-means needs n ≥ 1 points of dimension ${d} (got ${x.length} values for n=${n})`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`k-means: k must be a positive integer, got ${k}`);
  const kk = Math.min(k, n);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  const centres = new Float64Array(kk * d);
  // Farthest-point initialisation (ties: the lowest index).
  let first = 0;
  let bestSim = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = dotRow(x, i * d, mean, 0, d);
    if (s > bestSim) [bestSim, first] = [s, i];
  }
  centres.set(x.subarray(first * d, first * d + d), 0);
  const nearest = new Float64Array(n).fill(-Infinity);
  for (let c = 1; c < kk; c++) {
    let far = 0;
    let farSim = Infinity;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.max(nearest[i]!, dotRow(x, i * d, centres, (c - 1) * d, d));
      if (nearest[i]! < farSim) [farSim, far] = [nearest[i]!, i];
    }
    centres.set(x.subarray(far * d, far * d + d), c * d);
  }
  const assignment = new Int32Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < maxIter; iterations++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let sim = -Infinity;
      for (let c = 0; c < kk; c++) {
        const s = dotRow(x, i * d, centres, c * d, d);
        if (s > sim) [sim, best] = [s, c];
      }
      if (assignment[i] !== best) moved++;
      assignment[i] = best;
    }
    if (moved === 0) break;
    const sums = new Float64Array(kk * d);
    for (let i = 0; i < n; i++) {
      const c = assignment[i]!;
      for (let j = 0; j < d; j++) sums[c * d + j]! += x[i * d + j]!;
    }
    // An empty cluster (or one whose points cancel out) keeps its previous centre.
    for (let c = 0; c < kk; c++) if (normalizeRow(sums, c * d, d)) centres.set(sums.subarray(c * d, c * d + d), c * d);
  }
  return { centres, k: kk, assignment, iterations };
}
