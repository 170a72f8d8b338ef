/**
 * Nearest-neighbour scores on row-major n×d Float64Arrays — the small-data back-ends: nothing is
 * estimated beyond the training points themselves, so they work from the first few clips.
 * - min cosine distance: 1 − max_j cos(x, r_j) over reference vectors r_j (length-normalised
 *   training embeddings for `knn-cosine`, k-means centres for `kmeans-cosine`);
 * - min Euclidean distance: min_j ‖x − r_j‖ (patches of the log-Mel for `patch-knn`).
 */

/** 1 − max_j cos(x_i, r_j) for every point; `refs` (m×d) must be length-normalised. A zero point scores 1. */
export function minCosineDistanceScores(x: Float64Array, n: number, refs: Float64Array, m: number): Float64Array {
  const d = refs.length / m;
  if (!Number.isInteger(d) || m < 1 || x.length !== n * d) throw new Error(`min cosine distance: expected ${n}×${d} query values and ${m} references, got ${x.length} / ${refs.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let norm = 0;
    for (let j = 0; j < d; j++) norm += x[o + j]! * x[o + j]!;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) {
      out[i] = 1;
      continue;
    }
    let best = -Infinity;
    for (let t = 0; t < m; t++) {
      const r = t * d;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += x[o + j]! * refs[r + j]!;
      if (dot > best) best = dot;
    }
    out[i] = 1 - best / norm;
  }
  return out;
}

/** min_j ‖x_i − r_j‖₂ for every point (refs m×d). */
export function minEuclideanDistances(x: Float64Array, n: number, refs: Float64Array, m: number): Float64Array {
  const d = refs.length / m;
  if (!Number.isInteger(d) || m < 1 || x.length !== n * d) throw new Error(`min Euclidean distance: expected ${n}×${d} query values and ${m} references, got ${x.length} / ${refs.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let best = Infinity;
    for (let t = 0; t < m; t++) {
      const r = t * d;
      let s = 0;
      // Stop summing once this reference cannot be the nearest (exact: only skips larger sums).
      for (let j = 0; j < d && s < best; j++) {
        const diff = x[o + j]! - refs[r + j]!;
        s += diff * diff;
      }
      if (s < best) best = s;
    }
    out[i] = Math.sqrt(best);
  }
  return out;
}
