/**
 * Conversions between the vectors the rest of Auscult passes around (one Float32Array or
 * Float64Array per clip or window) and the flat float64 matrices the back-ends compute on, and the
 * length normalisation of method.md §6.
 */

/** A list of equally long vectors, e.g. N embeddings of 128 values. */
export type VectorList = readonly (Float32Array | Float64Array | readonly number[])[];

/** Row-major float64 n×d matrix of `vectors` (all of length d); `what` names them in errors. */
export function toMatrix(
  vectors: VectorList,
  what: string,
  expectedDim?: number,
): { x: Float64Array; n: number; d: number } {
  const n = vectors.length;
  const d = expectedDim ?? vectors[0]?.length ?? 0;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const v = vectors[i]!;
    if (v.length !== d) throw new Error(`${what}: vector ${i} has ${v.length} values, expected ${d}`);
    for (let j = 0; j < d; j++) {
      const value = v[j]!;
      if (!Number.isFinite(value))
        throw new Error(`${what}: vector ${i} has a non-finite value (${value}) at ${j}`);
      x[i * d + j] = value;
    }
  }
  return { x, n, d };
}

/**
 * Scales every row of a row-major n×d matrix to unit Euclidean length, in place (an all-zero row
 * stays zero). Returns the matrix.
 */
export function normalizeRowsInPlace(x: Float64Array, d: number): Float64Array {
  for (let o = 0; o < x.length; o += d) {
    let sumSq = 0;
    for (let j = 0; j < d; j++) sumSq += x[o + j]! * x[o + j]!;
    if (sumSq === 0) continue;
    const norm = Math.sqrt(sumSq);
    for (let j = 0; j < d; j++) x[o + j]! /= norm;
  }
  return x;
}

/** Length normalisation x / ‖x‖₂ of each vector (method.md §6: embeddings and centres); zero stays zero. */
export function lengthNormalize(vectors: VectorList): Float64Array[] {
  return vectors.map((v) => {
    const out = Float64Array.from(v);
    return normalizeRowsInPlace(out, out.length);
  });
}
