/**
 * Scoring back-ends (method.md §6) behind one interface: fit per machine id on that id's training
 * vectors, score new vectors (higher = more anomalous), save to / load from JSON.
 *
 * Inputs by kind (see `backendInput`):
 * - learned embeddings (`gmm`, `gaussian-*`, `cosine-*`): raw model embeddings; the back-end
 *   length-normalises them itself, when fitting and when scoring (and the gmm centres too);
 * - `mean-logmel` / `max-logmel`: the 128-d temporal mean / max of the normalised log-Mel
 *   (features/simple.ts), not length-normalised, scored with one full-covariance Gaussian;
 * - `model-output`: the model's class probabilities; score −log P(the id's class).
 * - small-data kinds (see the README's back-ends table): `knn-cosine` / `kmeans-cosine` on
 *   embeddings; `meanstd-logmel` / `robust-logmel` (per-band statistics, Ledoit–Wolf Gaussian);
 *   `frame-gaussian` / `patch-knn` (frame-level models; input: the normalised log-Mel window).
 *   `logMelVector(kind, window)` (logmel-stats.ts) makes the input of every log-Mel kind.
 */
import {
  stateFromJson,
  stateToJson,
  type BackendJson,
  type BackendState,
  type GaussianKind,
  type ReferenceKind,
} from './backend-json.ts';
import { cosineToCentreScores, cosineTopKScores } from './cosine.ts';
import { SingleGaussian, fitGaussian, type CovarianceType } from './gaussian.ts';
import { fitGmm, GaussianMixture, GMM_DEFAULTS, initGmmFromMeans } from './gmm.ts';
import { modelOutputScore } from './model-output.ts';
import { normalizeRowsInPlace, toMatrix, type VectorList } from './vectors.ts';
import { minCosineDistanceScores } from './knn.ts';
import { sphericalKMeans } from './kmeans.ts';
import { fitShrunkGaussian } from './shrinkage.ts';
import { frameGaussianScores, framesOf, patchKnnScores, stackFrames, trainingPatches } from './frames.ts';
import { N_MELS } from '../features/params.ts';

export { BACKEND_JSON_FORMAT, type BackendJson } from './backend-json.ts';
export { clipScoreFromWindows, ensembleScores } from './ensemble.ts';
export { modelOutputScore } from './model-output.ts';
export { lengthNormalize, type VectorList } from './vectors.ts';
export { fitGmm, GaussianMixture, initGmmFromMeans, type GmmFitResult, type GmmParameters } from './gmm.ts';
export { fitGaussian, SingleGaussian, type CovarianceType, type GaussianParameters } from './gaussian.ts';
export { isLogMelKind, logMelVector, LOGMEL_KINDS, type LogMelKind } from './logmel-stats.ts';

/** Centres of the `kmeans-cosine` back-end (fewer when a machine has fewer training vectors). */
export const KMEANS_CENTRES = 16;

/** The back-end kinds, as named on the command line (`auscult dcase --backend …`). */
export const BACKEND_KINDS = [
  'gmm',
  'gaussian-full',
  'gaussian-diag',
  'gaussian-spherical',
  'cosine-mean',
  'cosine-top10',
  'model-output',
  'mean-logmel',
  'max-logmel',
  'knn-cosine',
  'kmeans-cosine',
  'meanstd-logmel',
  'robust-logmel',
  'frame-gaussian',
  'patch-knn',
] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

export function isBackendKind(name: string): name is BackendKind {
  return (BACKEND_KINDS as readonly string[]).includes(name);
}

/** What the vectors given to `fitBackend` and `score` are for a kind. */
export type BackendInput =
  | 'embedding'
  | 'mean-logmel'
  | 'max-logmel'
  | 'meanstd-logmel'
  | 'robust-logmel'
  | 'logmel-window'
  | 'class-probabilities';

export function backendInput(kind: BackendKind): BackendInput {
  if (kind === 'mean-logmel' || kind === 'max-logmel' || kind === 'meanstd-logmel' || kind === 'robust-logmel') return kind;
  if (kind === 'frame-gaussian' || kind === 'patch-knn') return 'logmel-window';
  if (kind === 'model-output') return 'class-probabilities';
  return 'embedding';
}

export interface BackendContext {
  /** gmm (required): this machine id's S sub-cluster centres (raw; normalised here), one per component. */
  centres?: VectorList;
  /** model-output (required): the machine id's class index in the model's output. */
  classIndex?: number;
  /** Added to covariance diagonals (gmm and Gaussians; default 1e-3). */
  regCovar?: number;
  /** gmm: EM convergence threshold on the mean log-likelihood (default 1e-3). */
  tol?: number;
  /** gmm: maximum EM iterations (default 100). */
  maxIter?: number;
}

/** A back-end fitted for one machine id. */
export interface FittedBackend {
  readonly kind: BackendKind;
  /** Length of the vectors `score` accepts (model-output: number of classes, 0 = not fixed). */
  readonly dim: number;
  /** Anomaly score of each vector (higher = more anomalous). */
  score(vectors: VectorList): Float64Array;
  /** Fit details worth logging (e.g. gmm iterations, convergence, lower bound). */
  readonly diagnostics: Readonly<Record<string, number | boolean>>;
  /** Plain-JSON form; `backendFromJSON(JSON.parse(JSON.stringify(b)))` scores identically. */
  toJSON(): BackendJson;
}

/** Kinds scored on length-normalised vectors. */
function normalizes(kind: BackendKind): boolean {
  return backendInput(kind) === 'embedding';
}

/** Flat float64 n×dim matrix of the vectors to score or fit, length-normalised where the kind says. */
function inputMatrix(
  kind: BackendKind,
  vectors: VectorList,
  what: string,
  dim?: number,
): { x: Float64Array; n: number; d: number } {
  const m = toMatrix(vectors, `${kind} back-end ${what}`, dim);
  if (normalizes(kind)) normalizeRowsInPlace(m.x, m.d);
  return m;
}

class GmmBackend implements FittedBackend {
  readonly kind = 'gmm';
  readonly dim: number;
  readonly diagnostics: Record<string, number | boolean>;
  private readonly mixture: GaussianMixture;

  constructor(private readonly state: Extract<BackendState, { kind: 'gmm' }>) {
    this.dim = state.dim;
    this.mixture = new GaussianMixture({
      nComponents: state.nComponents,
      dim: state.dim,
      weights: state.weights,
      means: state.means,
      covariances: state.covariances,
    });
    this.diagnostics = {
      nComponents: state.nComponents,
      nIter: state.nIter,
      converged: state.converged,
      lowerBound: state.lowerBound,
    };
  }

  score(vectors: VectorList): Float64Array {
    const { x, n } = inputMatrix(this.kind, vectors, 'scoring', this.dim);
    return this.mixture.anomalyScores(x, n);
  }

  toJSON(): BackendJson {
    return stateToJson(this.state);
  }
}

const GAUSSIAN_COVARIANCE: Record<GaussianKind, CovarianceType> = {
  'gaussian-full': 'full',
  'gaussian-diag': 'diag',
  'gaussian-spherical': 'spherical',
  'mean-logmel': 'full',
  'max-logmel': 'full',
  'meanstd-logmel': 'full',
  'robust-logmel': 'full',
  'frame-gaussian': 'full',
};

class GaussianBackend implements FittedBackend {
  readonly kind: BackendKind;
  readonly dim: number;
  readonly diagnostics = {};
  private readonly gaussian: SingleGaussian;

  constructor(private readonly state: Extract<BackendState, { kind: GaussianKind }>) {
    this.kind = state.kind;
    this.dim = state.dim;
    this.gaussian = new SingleGaussian({
      covarianceType: GAUSSIAN_COVARIANCE[state.kind]!,
      dim: state.dim,
      mean: state.mean,
      covariance: state.covariance,
    });
  }

  score(vectors: VectorList): Float64Array {
    if (this.kind === 'frame-gaussian') return frameGaussianScores(this.gaussian, vectors);
    const { x, n } = inputMatrix(this.kind, vectors, 'scoring', this.dim);
    return this.gaussian.logDensities(x, n).map((v) => -v);
  }

  toJSON(): BackendJson {
    return stateToJson(this.state);
  }
}

class CosineMeanBackend implements FittedBackend {
  readonly kind = 'cosine-mean';
  readonly dim: number;
  readonly diagnostics = {};
  private readonly mean: Float64Array;

  constructor(private readonly state: Extract<BackendState, { kind: 'cosine-mean' }>) {
    this.dim = state.dim;
    this.mean = state.mean;
    if (this.mean.length !== this.dim)
      throw new Error(`cosine-mean back-end: mean has ${this.mean.length} values, dim is ${this.dim}`);
  }

  score(vectors: VectorList): Float64Array {
    const { x, n } = inputMatrix(this.kind, vectors, 'scoring', this.dim);
    return cosineToCentreScores(x, n, this.mean);
  }

  toJSON(): BackendJson {
    return stateToJson(this.state);
  }
}

class CosineTopKBackend implements FittedBackend {
  readonly kind = 'cosine-top10';
  readonly dim: number;
  readonly diagnostics: Record<string, number>;
  private readonly train: Float64Array;
  private readonly m: number;

  constructor(private readonly state: Extract<BackendState, { kind: 'cosine-top10' }>) {
    this.dim = state.dim;
    this.train = state.train;
    this.m = state.dim > 0 ? this.train.length / state.dim : 0;
    if (!Number.isInteger(this.m) || this.m < 1)
      throw new Error(
        `cosine-top10 back-end: ${this.train.length} stored values are not whole vectors of ${state.dim}`,
      );
    this.diagnostics = { k: state.k, trainVectors: this.m };
  }

  score(vectors: VectorList): Float64Array {
    const { x, n } = inputMatrix(this.kind, vectors, 'scoring', this.dim);
    return cosineTopKScores(x, n, this.train, this.m, this.state.k);
  }

  toJSON(): BackendJson {
    return stateToJson(this.state);
  }
}

class ModelOutputBackend implements FittedBackend {
  readonly kind = 'model-output';
  readonly dim: number;
  readonly diagnostics = {};

  constructor(private readonly state: Extract<BackendState, { kind: 'model-output' }>) {
    this.dim = state.dim;
  }

  score(vectors: VectorList): Float64Array {
    return Float64Array.from(vectors, (p, i) => {
      if (this.dim > 0 && p.length !== this.dim)
        throw new Error(
          `model-output back-end: vector ${i} has ${p.length} probabilities, expected ${this.dim}`,
        );
      return modelOutputScore(p, this.state.classIndex);
    });
  }

  toJSON(): BackendJson {
    return stateToJson(this.state);
  }
}

/** Scores against stored reference vectors: min cosine distance (embeddings) or patch k-NN (log-Mel). */
class ReferenceBackend implements FittedBackend {
  readonly kind: BackendKind;
  readonly dim: number;
  readonly diagnostics: Record<string, number>;
  private readonly m: number;

  constructor(private readonly state: Extract<BackendState, { kind: ReferenceKind }>) {
    this.kind = state.kind;
    this.dim = state.dim;
    this.m = state.dim > 0 ? state.refs.length / state.dim : 0;
    if (!Number.isInteger(this.m) || this.m < 1)
      throw new Error(`${state.kind} back-end: ${state.refs.length} stored values are not whole vectors of ${state.dim}`);
    this.diagnostics = { references: this.m };
  }

  score(vectors: VectorList): Float64Array {
    if (this.kind === 'patch-knn') return patchKnnScores(this.state.refs, this.m, vectors);
    const { x, n } = inputMatrix(this.kind, vectors, 'scoring', this.dim);
    return minCosineDistanceScores(x, n, this.state.refs, this.m);
  }

  toJSON(): BackendJson {
    return stateToJson(this.state);
  }
}

function fromState(state: BackendState): FittedBackend {
  switch (state.kind) {
    case 'knn-cosine':
    case 'kmeans-cosine':
    case 'patch-knn':
      return new ReferenceBackend(state);
    case 'gmm':
      return new GmmBackend(state);
    case 'cosine-mean':
      return new CosineMeanBackend(state);
    case 'cosine-top10':
      return new CosineTopKBackend(state);
    case 'model-output':
      return new ModelOutputBackend(state);
    default:
      return new GaussianBackend(state);
  }
}

/**
 * Fits a back-end of `kind` on one machine id's training vectors (N vectors of equal length D; see
 * the module comment for what they are per kind). Throws a clear Error on bad input.
 */
export function fitBackend(
  kind: BackendKind,
  trainVectors: VectorList,
  context: BackendContext = {},
): FittedBackend {
  if (!isBackendKind(kind))
    throw new Error(`unknown back-end "${String(kind)}" (expected one of ${BACKEND_KINDS.join(', ')})`);
  const regCovar = context.regCovar ?? GMM_DEFAULTS.regCovar;
  if (kind === 'model-output') {
    const classIndex = context.classIndex;
    if (classIndex === undefined || !Number.isInteger(classIndex) || classIndex < 0) {
      throw new Error("model-output back-end needs the machine id's class index (context.classIndex)");
    }
    const dim = trainVectors[0]?.length ?? 0;
    if (dim > 0 && classIndex >= dim)
      throw new Error(`model-output back-end: class index ${classIndex} but only ${dim} classes`);
    return fromState({ kind, dim, classIndex });
  }
  if (trainVectors.length === 0) throw new Error(`${kind} back-end: no training vectors to fit on`);
  // Frame-level kinds take whole windows: their samples are the frames (or patches), 128-d.
  if (kind === 'frame-gaussian') {
    trainVectors.forEach((w) => framesOf(w, 'frame-gaussian back-end training data'));
    const { x, n } = stackFrames(trainVectors, 'frame-gaussian back-end training data');
    const g = fitGaussian(x, n, N_MELS, 'full', regCovar);
    return fromState({ kind, dim: N_MELS, mean: g.mean, covariance: g.covariance });
  }
  if (kind === 'patch-knn') return fromState({ kind, dim: N_MELS, refs: trainingPatches(trainVectors).x });
  const { x, n, d } = inputMatrix(kind, trainVectors, 'training data');
  if (d === 0) throw new Error(`${kind} back-end: training vectors are empty`);
  switch (kind) {
    case 'gmm': {
      const centres = context.centres;
      if (!centres || centres.length === 0)
        throw new Error("gmm back-end needs the machine id's sub-cluster centres (context.centres)");
      const { x: means } = toMatrix(centres, 'gmm back-end centres', d);
      normalizeRowsInPlace(means, d);
      const fit = fitGmm(x, n, d, initGmmFromMeans(x, n, d, means, regCovar), {
        regCovar,
        tol: context.tol ?? GMM_DEFAULTS.tol,
        maxIter: context.maxIter ?? GMM_DEFAULTS.maxIter,
      });
      const p = fit.params;
      return fromState({
        kind,
        dim: d,
        nComponents: p.nComponents,
        weights: p.weights,
        means: p.means,
        covariances: p.covariances,
        lowerBound: fit.lowerBound,
        nIter: fit.nIter,
        converged: fit.converged,
      });
    }
    case 'cosine-mean': {
      const mean = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]! / n;
      return fromState({ kind, dim: d, mean });
    }
    case 'cosine-top10':
      return fromState({ kind, dim: d, k: 10, train: x });
    case 'knn-cosine':
      return fromState({ kind, dim: d, refs: x });
    case 'kmeans-cosine':
      return fromState({ kind, dim: d, refs: sphericalKMeans(x, n, d, KMEANS_CENTRES).centres });
    case 'meanstd-logmel':
    case 'robust-logmel': {
      const g = fitShrunkGaussian(x, n, d, regCovar);
      return fromState({ kind, dim: d, mean: g.mean, covariance: g.covariance });
    }
    default: {
      const g = fitGaussian(x, n, d, GAUSSIAN_COVARIANCE[kind]!, regCovar);
      return fromState({ kind, dim: d, mean: g.mean, covariance: g.covariance });
    }
  }
}

/** Restores a fitted back-end from its JSON form (validated; a clear Error names what is wrong). */
export function backendFromJSON(json: unknown): FittedBackend {
  return fromState(stateFromJson(json));
}
