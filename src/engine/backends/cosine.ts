/**
 * Cosine back-ends (method.md §6) on row-major n×d Float64Arrays:
 * score = −cos(x, mean of the training embeddings), or −(mean cosine to the k most similar
 * training embeddings). Higher = more anomalous; scores lie in [−1, 1].
 */

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[ao + j]! * b[bo + j]!;
  return s;
}

/** −cos(x_i, centre) for every point, length n; a zero point scores 0 (no direction). */
export function cosineToCentreScores(x: Float64Array, n: number, centre: Float64Array): Float64Array {
  const d = centre.length;
  if (x.length !== n * d) throw new Error(`expected ${n}×${d} values, got ${x.length}`);
  const centreNorm = Math.sqrt(dot(centre, 0, centre, 0, d));
  if (!(centreNorm > 0))
    throw new Error('cosine back-end: the class mean is the zero vector (no direction to compare with)');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const norm = Math.sqrt(dot(x, i * d, x, i * d, d));
    out[i] = norm > 0 ? -dot(x, i * d, centre, 0, d) / (norm * centreNorm) : 0;
  }
  return out;
}

/**
 * −(mean of the k largest cosines between x_i and the training points), length n. `train` (m×d)
 * must be length-normalised; k is capped at m.
 */
export function cosineTopKScores(
  x: Float64Array,
  n: number,
  train: Float64Array,
  m: number,
  k: number,
): Float64Array {
  const d = train.length / m;
  if (!Number.isInteger(d) || x.length !== n * d)
    throw new Error(`cosine top-k: expected ${n}×${d} query values, got ${x.length}`);
  if (!(k >= 1)) throw new Error(`cosine top-k: k must be ≥ 1 (got ${k})`);
  const kk = Math.min(k, m);
  const top = new Float64Array(kk);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const norm = Math.sqrt(dot(x, i * d, x, i * d, d));
    if (!(norm > 0)) continue; // a zero vector has no direction: score 0
    top.fill(-Infinity);
    // top holds the kk largest cosines so far, descending.
    for (let t = 0; t < m; t++) {
      const c = dot(x, i * d, train, t * d, d) / norm;
      if (c <= top[kk - 1]!) continue;
      let p = kk - 1;
      while (p > 0 && top[p - 1]! < c) {
        top[p] = top[p - 1]!;
        p--;
      }
      top[p] = c;
    }
    let sum = 0;
    for (let q = 0; q < kk; q++) sum += top[q]!;
    out[i] = -sum / kk;
  }
  return out;
}
