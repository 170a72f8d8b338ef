/**
 * Log-densities of full-covariance Gaussians, log N(x; μ, Σ), evaluated for many points at once.
 * This is the hot loop of GMM fitting and scoring, so it works on flat row-major Float64Arrays,
 * two points against four rows of the triangular factor per pass (fewer loads per multiply-add),
 * in WebAssembly SIMD where available (mahalanobis-wasm.ts).
 */
import { cholesky, invertLowerTriangular, logDiagSum, LOG_2PI, NotPositiveDefiniteError } from './linalg.ts';
import { loadMahalanobisWasm } from './mahalanobis-wasm.ts';

/** A full-covariance Gaussian prepared for evaluation: log N(x) = logNorm − ½‖L⁻¹(x − μ)‖². */
export interface PreparedGaussian {
  dim: number;
  /** μ, length dim. */
  mean: Float64Array;
  /** L⁻¹ with Σ = L·Lᵀ, lower triangular, row-major dim×dim. */
  inverseCholesky: Float64Array;
  /** −½·dim·ln 2π − ½·ln det Σ. */
  logNorm: number;
}

/** Prepares N(μ, Σ) (Σ row-major dim×dim, symmetric positive definite) for `logDensities`. */
export function prepareGaussian(mean: Float64Array, covariance: Float64Array, dim: number): PreparedGaussian {
  if (mean.length !== dim || covariance.length !== dim * dim) {
    throw new Error(
      `Gaussian of dimension ${dim} needs a mean of ${dim} and a covariance of ${dim * dim} values`,
    );
  }
  let l: Float64Array;
  try {
    l = cholesky(covariance, dim);
  } catch (err) {
    if (err instanceof NotPositiveDefiniteError) {
      throw new NotPositiveDefiniteError(
        `covariance matrix is not positive definite (${err.message}); increase regCovar or use more training data`,
      );
    }
    throw err;
  }
  return {
    dim,
    mean,
    inverseCholesky: invertLowerTriangular(l, dim),
    logNorm: -0.5 * dim * LOG_2PI - logDiagSum(l, dim),
  };
}

/**
 * log N(x_n; μ_k, Σ_k) for points x (row-major n×dim) and Gaussians g_k, as an n×K matrix.
 *
 * With `pruneMargin` finite, an entry whose weighted value logWeights[k] + log N(x_n; g_k) is
 * certain to lie more than `pruneMargin` below the best weighted value of that point is not
 * finished and is returned as −Infinity (branch and bound: the Mahalanobis sum only grows row by
 * row, so a partial sum already bounds the log-density from above). The best entry of every point,
 * and every entry within the margin, are computed in full and are bit-identical to the unpruned
 * result. Margin 0 keeps only what decides the maximum; a margin ≥ 746 keeps everything that does
 * not underflow to 0 in exp(value − max).
 */
export function logDensities(
  x: Float64Array,
  n: number,
  gaussians: readonly PreparedGaussian[],
  pruneMargin = Infinity,
  logWeights?: Float64Array,
): Float64Array {
  const k = gaussians.length;
  const out = new Float64Array(n * k);
  if (k === 0 || n === 0) return out;
  const d = gaussians[0]!.dim;
  if (x.length < n * d) throw new Error(`expected ${n}×${d} values, got ${x.length}`);
  for (const g of gaussians)
    if (g.dim !== d) throw new Error(`Gaussians of different dimension (${g.dim} and ${d})`);
  const prune = Number.isFinite(pruneMargin);
  const c = new Float64Array(2 * d);
  const m = new Float64Array(2);
  // The WebAssembly SIMD kernel where available (about twice as fast), else the JavaScript one.
  const wasm = loadMahalanobisWasm();
  wasm?.load(
    gaussians.map((g) => g.mean),
    gaussians.map((g) => g.inverseCholesky),
    d,
  );
  const order = new Int32Array(k);
  // Points go in pairs (the last one paired with itself when n is odd). When pruning, each point
  // starts with its nearest mean, the likely best, and points sharing it are paired, so that one
  // full evaluation per pair sets both bounds.
  const nearest = new Int32Array(n);
  const sequence = new Int32Array(n);
  if (prune) {
    const perComponent = new Int32Array(k + 1);
    for (let i = 0; i < n; i++) perComponent[(nearest[i] = nearestMean(x, i * d, gaussians)) + 1]!++;
    for (let c = 0; c < k; c++) perComponent[c + 1]! += perComponent[c]!;
    for (let i = 0; i < n; i++) sequence[perComponent[nearest[i]!]!++] = i;
  } else {
    for (let i = 0; i < n; i++) sequence[i] = i;
  }
  for (let s = 0; s < n; s += 2) {
    const a = sequence[s]!;
    const b = sequence[Math.min(s + 1, n - 1)]!;
    const ao = a * d;
    const bo = b * d;
    let filled = 0;
    if (prune) {
      order[filled++] = nearest[a]!;
      if (nearest[b] !== nearest[a]) order[filled++] = nearest[b]!;
    }
    for (let comp = 0; comp < k; comp++) {
      if (filled > 0 && (comp === order[0] || (filled > 1 && comp === order[1]))) continue;
      order[filled++] = comp;
    }
    let bestA = -Infinity;
    let bestB = -Infinity;
    wasm?.setPoints(x, ao, bo);
    for (let q = 0; q < k; q++) {
      const comp = order[q]!;
      const g = gaussians[comp]!;
      const mu = g.mean;
      const shift = g.logNorm + (logWeights ? logWeights[comp]! : 0);
      // Entry pruned when shift − ½·m < best − margin, i.e. m > limit (with a little slack, so
      // that rounding in the limit can never prune an entry that is within the margin).
      const limitA = prune ? pruneLimit(shift, bestA, pruneMargin) : Infinity;
      const limitB = prune ? pruneLimit(shift, bestB, pruneMargin) : Infinity;
      if (wasm) {
        wasm.pair(comp, limitA, limitB, m);
      } else {
        for (let j = 0; j < d; j++) {
          c[2 * j] = x[ao + j]! - mu[j]!;
          c[2 * j + 1] = x[bo + j]! - mu[j]!;
        }
        mahalanobisPair(c, g, limitA, limitB, m);
      }
      const valueA = m[0]! > limitA ? -Infinity : g.logNorm - 0.5 * m[0]!;
      const valueB = m[1]! > limitB ? -Infinity : g.logNorm - 0.5 * m[1]!;
      out[a * k + comp] = valueA;
      out[b * k + comp] = valueB;
      if (shift - 0.5 * m[0]! > bestA && valueA > -Infinity) bestA = shift - 0.5 * m[0]!;
      if (shift - 0.5 * m[1]! > bestB && valueB > -Infinity) bestB = shift - 0.5 * m[1]!;
    }
  }
  return out;
}

/** Mahalanobis sum above which log-density shift − ½·m lies below best − margin (slightly raised). */
function pruneLimit(shift: number, best: number, margin: number): number {
  const limit = 2 * (shift - best + margin);
  return limit + 1e-9 * Math.abs(limit) + 1e-9;
}

/** Index of the Gaussian whose mean is nearest to point x[xo…]. */
function nearestMean(x: Float64Array, xo: number, gaussians: readonly PreparedGaussian[]): number {
  let best = 0;
  let bestDist = Infinity;
  for (let k = 0; k < gaussians.length; k++) {
    const mu = gaussians[k]!.mean;
    const d = mu.length;
    let dist = 0;
    // Partial distances only grow: stop a mean once it is farther than the best so far.
    for (let j0 = 0; j0 < d && dist < bestDist; j0 += 16) {
      const end = Math.min(j0 + 16, d);
      for (let j = j0; j < end; j++) {
        const diff = x[xo + j]! - mu[j]!;
        dist += diff * diff;
      }
    }
    if (dist < bestDist) {
      bestDist = dist;
      best = k;
    }
  }
  return best;
}

/**
 * ‖L⁻¹c_a‖² and ‖L⁻¹c_b‖² for two centred points interleaved in c (c[2j] = a_j, c[2j+1] = b_j),
 * written to m[0], m[1]. Four rows of L⁻¹ per pass: eight independent accumulators share each load.
 * Stops early, leaving partial sums, once both exceed their limits.
 */
function mahalanobisPair(
  c: Float64Array,
  g: PreparedGaussian,
  limitA: number,
  limitB: number,
  m: Float64Array,
): void {
  const d = g.dim;
  const p = g.inverseCholesky;
  let ma = 0;
  let mb = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    const r0 = i * d;
    const r1 = r0 + d;
    const r2 = r1 + d;
    const r3 = r2 + d;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    for (let j = 0; j <= i; j++) {
      const ca = c[2 * j]!;
      const cb = c[2 * j + 1]!;
      const p0 = p[r0 + j]!;
      const p1 = p[r1 + j]!;
      const p2 = p[r2 + j]!;
      const p3 = p[r3 + j]!;
      a0 += p0 * ca;
      a1 += p1 * ca;
      a2 += p2 * ca;
      a3 += p3 * ca;
      b0 += p0 * cb;
      b1 += p1 * cb;
      b2 += p2 * cb;
      b3 += p3 * cb;
    }
    // The triangle's tip: rows i+1…i+3 reach columns up to themselves.
    for (let j = i + 1; j <= i + 3; j++) {
      const ca = c[2 * j]!;
      const cb = c[2 * j + 1]!;
      const p1 = p[r1 + j]!;
      const p2 = p[r2 + j]!;
      const p3 = p[r3 + j]!;
      a1 += p1 * ca;
      a2 += p2 * ca;
      a3 += p3 * ca;
      b1 += p1 * cb;
      b2 += p2 * cb;
      b3 += p3 * cb;
    }
    ma += a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3;
    mb += b0 * b0 + b1 * b1 + b2 * b2 + b3 * b3;
    if (ma > limitA && mb > limitB) break;
  }
  if (i + 3 >= d) {
    for (; i < d; i++) {
      const r = i * d;
      let sa = 0;
      let sb = 0;
      for (let j = 0; j <= i; j++) {
        sa += p[r + j]! * c[2 * j]!;
        sb += p[r + j]! * c[2 * j + 1]!;
      }
      ma += sa * sa;
      mb += sb * sb;
    }
  }
  m[0] = ma;
  m[1] = mb;
}
