/**
 * Gaussian mixture with full covariances fitted by EM, step for step as scikit-learn's
 * `GaussianMixture(covariance_type='full', n_init=1)` (method.md §6): float64 throughout,
 * log-sum-exp E-step, M-step with 10·eps added to the component counts and reg_covar added to the
 * covariance diagonals, convergence when the mean log-likelihood lower bound changes by < tol.
 * Data are flat row-major Float64Arrays (points n×d, means K×d, covariances K×d×d).
 */
import { logDensities, prepareGaussian, type PreparedGaussian } from './gaussian-density.ts';

/** Parameters of a K-component, d-dimensional full-covariance mixture. */
export interface GmmParameters {
  nComponents: number;
  dim: number;
  /** Mixture weights, length K, summing to 1. */
  weights: Float64Array;
  /** Component means, row-major K×d. */
  means: Float64Array;
  /** Component covariances, K consecutive row-major d×d blocks. */
  covariances: Float64Array;
}

export interface GmmFitOptions {
  /** Added to every covariance diagonal (default 1e-3, method.md §6). */
  regCovar?: number;
  /** Convergence threshold on the change of the mean log-likelihood (default 1e-3). */
  tol?: number;
  /** Maximum number of EM iterations (default 100). */
  maxIter?: number;
}

export interface GmmFitResult {
  params: GmmParameters;
  /** Mean log-likelihood of the training data under the parameters before the last M-step. */
  lowerBound: number;
  /** EM iterations run. */
  nIter: number;
  /** Whether |Δ lower bound| < tol was reached within maxIter. */
  converged: boolean;
}

export const GMM_DEFAULTS = { regCovar: 1e-3, tol: 1e-3, maxIter: 100 } as const;

/** numpy's float64 machine epsilon; sklearn adds 10·eps to component counts. */
const EPS = 2.220446049250313e-16;

function checkPoints(x: Float64Array, n: number, d: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 1 || d < 1) {
    throw new Error(`GMM needs at least one point of dimension ≥ 1 (got n=${n}, d=${d})`);
  }
  if (x.length !== n * d) throw new Error(`GMM data: expected ${n}×${d} = ${n * d} values, got ${x.length}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      throw new Error(
        `GMM data: value ${x[i]} at point ${Math.floor(i / d)}, dimension ${i % d} is not finite`,
      );
    }
  }
}

/**
 * The deterministic initialisation of gmm.json: every point is assigned (responsibility 1) to its
 * nearest initial mean (Euclidean; ties → lowest index); weights = counts/n; covariance k =
 * scatter of its points around the *initial* mean k / count + regCovar·I. A mean that receives no
 * point gets weight 0 and covariance regCovar·I (EM then keeps it as an inert component).
 */
export function initGmmFromMeans(
  x: Float64Array,
  n: number,
  d: number,
  meansInit: Float64Array,
  regCovar: number = GMM_DEFAULTS.regCovar,
): GmmParameters {
  checkPoints(x, n, d);
  const k = meansInit.length / d;
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`GMM init: ${meansInit.length} initial mean values are not a multiple of dimension ${d}`);
  }
  const assignment = new Int32Array(n);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDist = Infinity;
    for (let c = 0; c < k; c++) {
      let dist = 0;
      for (let j = 0; j < d; j++) {
        const diff = x[i * d + j]! - meansInit[c * d + j]!;
        dist += diff * diff;
      }
      if (dist < bestDist) {
        bestDist = dist;
        best = c;
      }
    }
    assignment[i] = best;
    counts[best]!++;
  }
  const covariances = new Float64Array(k * d * d);
  const members = new Int32Array(n);
  for (let c = 0; c < k; c++) {
    let m = 0;
    for (let i = 0; i < n; i++) if (assignment[i] === c) members[m++] = i;
    addScatter(covariances, c, x, d, meansInit, c * d, members, m);
  }
  for (let c = 0; c < k; c++) finishCovariance(covariances, c, d, counts[c]! > 0 ? counts[c]! : 1, regCovar);
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) weights[c] = counts[c]! / n;
  return { nComponents: k, dim: d, weights, means: Float64Array.from(meansInit), covariances };
}

/**
 * Adds Σ_q w_q·(x_q − centre)(x_q − centre)ᵀ over the points `members[0…m)` (weights from
 * `weightOf`, 1 when absent) to the lower triangle of covariance block c. Four points per pass:
 * each load and store of the block serves four multiply-adds.
 */
function addScatter(
  cov: Float64Array,
  c: number,
  x: Float64Array,
  d: number,
  centre: Float64Array,
  centreOffset: number,
  members: Int32Array,
  m: number,
  weightOf?: (i: number) => number,
): void {
  const block = c * d * d;
  const e = new Float64Array(4 * d);
  for (let q0 = 0; q0 < m; q0 += 4) {
    const count = Math.min(4, m - q0);
    e.fill(0);
    for (let q = 0; q < count; q++) {
      const i = members[q0 + q]!;
      const s = weightOf ? Math.sqrt(weightOf(i)) : 1;
      for (let j = 0; j < d; j++) e[q * d + j] = s * (x[i * d + j]! - centre[centreOffset + j]!);
    }
    for (let a = 0; a < d; a++) {
      const e0 = e[a]!;
      const e1 = e[d + a]!;
      const e2 = e[2 * d + a]!;
      const e3 = e[3 * d + a]!;
      const row = block + a * d;
      for (let b = 0; b <= a; b++) {
        cov[row + b]! += e0 * e[b]! + e1 * e[d + b]! + e2 * e[2 * d + b]! + e3 * e[3 * d + b]!;
      }
    }
  }
}

/** Divides the accumulated lower triangle of block c by `count`, mirrors it and adds reg to the diagonal. */
function finishCovariance(cov: Float64Array, c: number, d: number, count: number, reg: number): void {
  const block = c * d * d;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) {
      const v = cov[block + a * d + b]! / count;
      cov[block + a * d + b] = v;
      cov[block + b * d + a] = v;
    }
    cov[block + a * d + a] = cov[block + a * d + a]! / count + reg;
  }
}

/** Prepares every component of a mixture for density evaluation. */
export function prepareComponents(params: GmmParameters): PreparedGaussian[] {
  const { nComponents: k, dim: d } = params;
  const out: PreparedGaussian[] = [];
  for (let c = 0; c < k; c++) {
    try {
      out.push(
        prepareGaussian(
          params.means.subarray(c * d, (c + 1) * d),
          params.covariances.subarray(c * d * d, (c + 1) * d * d),
          d,
        ),
      );
    } catch (err) {
      throw new Error(`GMM component ${c}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}

/**
 * exp(v) underflows to exactly 0 in float64 for v < −745.2: weighted log-probabilities further than
 * this below a point's best cannot change its responsibilities or log-likelihood, so the E-step may
 * skip finishing them (see `logDensities`) and stays bit-identical to the full computation.
 */
const UNDERFLOW_MARGIN = 750;

/**
 * E-step: log responsibilities (n×K) from the weighted log-probabilities log w_k + log N(x_n; μ_k, Σ_k),
 * and the mean over n of log Σ_k w_k N(x_n; μ_k, Σ_k) (the lower bound).
 */
function eStep(
  x: Float64Array,
  n: number,
  params: GmmParameters,
): { logResp: Float64Array; meanLogLikelihood: number } {
  const k = params.nComponents;
  const logW = params.weights.map(Math.log);
  const logResp = logDensities(x, n, prepareComponents(params), UNDERFLOW_MARGIN, logW);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = logResp[row + c]! + logW[c]!;
      logResp[row + c] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logResp[row + c]! - max);
    const norm = max + Math.log(sum);
    for (let c = 0; c < k; c++) logResp[row + c] = logResp[row + c]! - norm;
    total += norm;
  }
  return { logResp, meanLogLikelihood: total / n };
}

/** M-step: weights, means and full covariances (+ regCovar·I) from responsibilities exp(logResp). */
function mStep(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  logResp: Float64Array,
  regCovar: number,
): GmmParameters {
  const resp = logResp.map(Math.exp);
  const counts = new Float64Array(k).fill(10 * EPS);
  const means = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c]!;
      if (r === 0) continue;
      counts[c]! += r;
      const mo = c * d;
      const xo = i * d;
      for (let j = 0; j < d; j++) means[mo + j]! += r * x[xo + j]!;
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j]! /= counts[c]!;

  const covariances = new Float64Array(k * d * d);
  const members = new Int32Array(n);
  const pointNorms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j]! * x[i * d + j]!;
    pointNorms[i] = Math.sqrt(s);
  }
  for (let c = 0; c < k; c++) {
    const mo = c * d;
    // A point whose weighted scatter r·‖x − μ‖² is below `negligible` is skipped: all skipped points
    // together move no covariance entry by more than 1e-16·regCovar, far below the float64 rounding
    // of the sum itself (and of scikit-learn's own BLAS summation). With regCovar = 0 nothing is skipped.
    // ‖x − μ‖ ≤ ‖x‖ + ‖μ‖ gives a cheap bound first; the exact distance only when that is not enough.
    const negligible = (1e-16 * regCovar * counts[c]!) / n;
    let meanNorm = 0;
    for (let j = 0; j < d; j++) meanNorm += means[mo + j]! * means[mo + j]!;
    meanNorm = Math.sqrt(meanNorm);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c]!;
      if (r === 0) continue;
      if (r < 1e-6) {
        const bound = pointNorms[i]! + meanNorm;
        if (r * bound * bound < negligible) continue;
        let norm2 = 0;
        for (let j = 0; j < d; j++) {
          const v = x[i * d + j]! - means[mo + j]!;
          norm2 += v * v;
        }
        if (r * norm2 < negligible) continue;
      }
      members[m++] = i;
    }
    addScatter(covariances, c, x, d, means, mo, members, m, (i) => resp[i * k + c]!);
    finishCovariance(covariances, c, d, counts[c]!, regCovar);
  }
  let total = 0;
  for (let c = 0; c < k; c++) total += counts[c]!;
  const weights = counts.map((v) => v / total);
  return { nComponents: k, dim: d, weights, means, covariances };
}

/**
 * Fits a full-covariance mixture by EM from `init` (e.g. `initGmmFromMeans`) on points x (n×d).
 * Like scikit-learn, the reported lower bound is the mean log-likelihood computed in the E-step of
 * the last iteration, i.e. under the parameters before its M-step.
 */
export function fitGmm(
  x: Float64Array,
  n: number,
  d: number,
  init: GmmParameters,
  options: GmmFitOptions = {},
): GmmFitResult {
  const { regCovar, tol, maxIter } = { ...GMM_DEFAULTS, ...options };
  checkPoints(x, n, d);
  if (init.dim !== d) throw new Error(`GMM init has dimension ${init.dim}, data have ${d}`);
  if (!(maxIter >= 1)) throw new Error(`GMM maxIter must be ≥ 1 (got ${maxIter})`);
  const k = init.nComponents;
  let params = init;
  let lowerBound = -Infinity;
  let converged = false;
  let nIter = 0;
  for (let iter = 1; iter <= maxIter; iter++) {
    nIter = iter;
    const previous = lowerBound;
    const { logResp, meanLogLikelihood } = eStep(x, n, params);
    lowerBound = meanLogLikelihood;
    if (!Number.isFinite(lowerBound))
      throw new Error(`GMM fit diverged: log-likelihood ${lowerBound} at iteration ${iter}`);
    params = mStep(x, n, d, k, logResp, regCovar);
    if (Math.abs(lowerBound - previous) < tol) {
      converged = true;
      break;
    }
  }
  return { params, lowerBound, nIter, converged };
}

/** A fitted mixture, ready to score points (row-major n×d Float64Array). */
export class GaussianMixture {
  readonly params: GmmParameters;
  private readonly components: PreparedGaussian[];

  constructor(params: GmmParameters) {
    this.params = params;
    this.components = prepareComponents(params);
  }

  get nComponents(): number {
    return this.params.nComponents;
  }

  get dim(): number {
    return this.params.dim;
  }

  /** log N(x_n; μ_k, Σ_k), n×K (mixture weights not included). */
  componentLogDensities(x: Float64Array, n: number): Float64Array {
    this.checkQueries(x, n);
    return logDensities(x, n, this.components);
  }

  /** log Σ_k w_k N(x_n; μ_k, Σ_k), length n (scikit-learn's score_samples). */
  scoreSamples(x: Float64Array, n: number): Float64Array {
    this.checkQueries(x, n);
    const k = this.nComponents;
    const logW = this.params.weights.map(Math.log);
    const dens = logDensities(x, n, this.components, UNDERFLOW_MARGIN, logW);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        const v = dens[i * k + c]! + logW[c]!;
        dens[i * k + c] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(dens[i * k + c]! - max);
      out[i] = max + Math.log(sum);
    }
    return out;
  }

  /**
   * Anomaly score −max_k log N(x_n; μ_k, Σ_k) (best single component, weights ignored), length n.
   * Components that cannot be the best are abandoned early (exact: see `logDensities`).
   */
  anomalyScores(x: Float64Array, n: number): Float64Array {
    this.checkQueries(x, n);
    const k = this.nComponents;
    const dens = logDensities(x, n, this.components, 0);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (dens[i * k + c]! > max) max = dens[i * k + c]!;
      out[i] = -max;
    }
    return out;
  }

  private checkQueries(x: Float64Array, n: number): void {
    if (x.length !== n * this.dim) throw new Error(`expected ${n}×${this.dim} values, got ${x.length}`);
  }
}
