/**
 * The stored form of fitted back-ends: plain JSON, exact and compact. Float arrays are base64 of
 * little-endian float64 (exact round trip, ~11 characters per value instead of ~19 as decimal
 * text) and symmetric covariance matrices keep only their lower triangle (row by row), so a
 * K = 32, D = 128 GMM takes about 2.9 MB instead of 12 MB.
 */
import { z } from 'zod';

/** Version tag of the JSON form. */
export const BACKEND_JSON_FORMAT = 'auscult-backend/2';

export type GaussianKind =
  | 'gaussian-full'
  | 'gaussian-diag'
  | 'gaussian-spherical'
  | 'mean-logmel'
  | 'max-logmel'
  | 'meanstd-logmel'
  | 'robust-logmel'
  | 'frame-gaussian';

/** Kinds that store reference vectors (N×D): training embeddings, k-means centres, log-Mel patches. */
export type ReferenceKind = 'knn-cosine' | 'kmeans-cosine' | 'patch-knn';

/** A fitted back-end's parameters in memory (what `BackendJson` stores). */
export type BackendState =
  | {
      kind: 'gmm';
      dim: number;
      nComponents: number;
      weights: Float64Array;
      /** K×D row-major. */
      means: Float64Array;
      /** K blocks of D×D row-major. */
      covariances: Float64Array;
      lowerBound: number;
      nIter: number;
      converged: boolean;
    }
  | {
      kind: GaussianKind;
      dim: number;
      mean: Float64Array;
      /** full: D×D row-major; diag: D variances; spherical: one variance. */
      covariance: Float64Array;
    }
  | { kind: 'cosine-mean'; dim: number; mean: Float64Array }
  | {
      kind: 'cosine-top10';
      dim: number;
      k: number;
      /** normalised training vectors, N×D */ train: Float64Array;
    }
  | { kind: 'model-output'; dim: number; classIndex: number }
  | {
      kind: ReferenceKind;
      dim: number;
      /** N×D: normalised training embeddings / normalised centres / training patches. */
      refs: Float64Array;
    };

const count = z.number().int().nonnegative();
const float64s = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const format = z.literal(BACKEND_JSON_FORMAT);
const backendJsonSchema = z.discriminatedUnion('kind', [
  z.object({
    format,
    kind: z.literal('gmm'),
    dim: count,
    nComponents: count,
    weights: float64s,
    means: float64s,
    covarianceLowerTriangles: float64s,
    lowerBound: z.number(),
    nIter: count,
    converged: z.boolean(),
  }),
  z.object({
    format,
    kind: z.enum(['gaussian-full', 'gaussian-diag', 'gaussian-spherical', 'mean-logmel', 'max-logmel', 'meanstd-logmel', 'robust-logmel', 'frame-gaussian']),
    dim: count,
    mean: float64s,
    /** full covariance: lower triangle; diag: the variances; spherical: one variance. */
    covariance: float64s,
  }),
  z.object({ format, kind: z.literal('cosine-mean'), dim: count, mean: float64s }),
  z.object({ format, kind: z.literal('cosine-top10'), dim: count, k: count, train: float64s }),
  z.object({ format, kind: z.literal('model-output'), dim: count, classIndex: count }),
  z.object({ format, kind: z.enum(['knn-cosine', 'kmeans-cosine', 'patch-knn']), dim: count, refs: float64s }),
]);

/** The JSON form of a fitted back-end (see the module comment). */
export type BackendJson = z.infer<typeof backendJsonSchema>;

export function hasFullCovariance(kind: GaussianKind): boolean {
  return kind !== 'gaussian-diag' && kind !== 'gaussian-spherical';
}

function encode(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  return Buffer.from(bytes).toString('base64');
}

function decode(text: string, field: string, expected?: number): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 8 !== 0)
    throw new Error(`invalid back-end JSON: ${field}: ${bytes.length} bytes are not whole float64 values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const values = new Float64Array(bytes.length / 8);
  for (let i = 0; i < values.length; i++) {
    values[i] = view.getFloat64(i * 8, true);
    if (!Number.isFinite(values[i]!))
      throw new Error(`invalid back-end JSON: ${field}: value ${i} is not finite`);
  }
  if (expected !== undefined && values.length !== expected) {
    throw new Error(`invalid back-end JSON: ${field} has ${values.length} values, expected ${expected}`);
  }
  return values;
}

/** Lower triangles (row by row) of `blocks` consecutive symmetric d×d matrices. */
function packLower(matrices: Float64Array, d: number): Float64Array {
  const blocks = matrices.length / (d * d);
  const out = new Float64Array((blocks * d * (d + 1)) / 2);
  let o = 0;
  for (let b = 0; b < blocks; b++)
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) out[o++] = matrices[b * d * d + i * d + j]!;
  return out;
}

/** Inverse of `packLower`: full symmetric d×d matrices. */
function unpackLower(packed: Float64Array, d: number, blocks: number): Float64Array {
  const out = new Float64Array(blocks * d * d);
  let o = 0;
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        const v = packed[o++]!;
        out[b * d * d + i * d + j] = v;
        out[b * d * d + j * d + i] = v;
      }
    }
  }
  return out;
}

const triangle = (d: number) => (d * (d + 1)) / 2;

export function stateToJson(state: BackendState): BackendJson {
  const base = { format: BACKEND_JSON_FORMAT } as const;
  switch (state.kind) {
    case 'gmm':
      return {
        ...base,
        kind: state.kind,
        dim: state.dim,
        nComponents: state.nComponents,
        weights: encode(state.weights),
        means: encode(state.means),
        covarianceLowerTriangles: encode(packLower(state.covariances, state.dim)),
        lowerBound: state.lowerBound,
        nIter: state.nIter,
        converged: state.converged,
      };
    case 'cosine-mean':
      return { ...base, kind: state.kind, dim: state.dim, mean: encode(state.mean) };
    case 'cosine-top10':
      return { ...base, kind: state.kind, dim: state.dim, k: state.k, train: encode(state.train) };
    case 'model-output':
      return { ...base, kind: state.kind, dim: state.dim, classIndex: state.classIndex };
    case 'knn-cosine':
    case 'kmeans-cosine':
    case 'patch-knn':
      return { ...base, kind: state.kind, dim: state.dim, refs: encode(state.refs) };
    default:
      return {
        ...base,
        kind: state.kind,
        dim: state.dim,
        mean: encode(state.mean),
        covariance: encode(
          hasFullCovariance(state.kind) ? packLower(state.covariance, state.dim) : state.covariance,
        ),
      };
  }
}

/** Parses and checks a stored back-end; throws `invalid back-end JSON: <field>: <problem>`. */
export function stateFromJson(json: unknown): BackendState {
  const parsed = backendJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `invalid back-end JSON: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : parsed.error.message}`,
    );
  }
  const j = parsed.data;
  const d = j.dim;
  switch (j.kind) {
    case 'gmm': {
      const k = j.nComponents;
      return {
        kind: j.kind,
        dim: d,
        nComponents: k,
        weights: decode(j.weights, 'weights', k),
        means: decode(j.means, 'means', k * d),
        covariances: unpackLower(
          decode(j.covarianceLowerTriangles, 'covarianceLowerTriangles', k * triangle(d)),
          d,
          k,
        ),
        lowerBound: j.lowerBound,
        nIter: j.nIter,
        converged: j.converged,
      };
    }
    case 'cosine-mean':
      return { kind: j.kind, dim: d, mean: decode(j.mean, 'mean', d) };
    case 'cosine-top10': {
      const train = decode(j.train, 'train');
      if (d === 0 || train.length === 0 || train.length % d !== 0) {
        throw new Error(`invalid back-end JSON: train has ${train.length} values, not whole vectors of ${d}`);
      }
      return { kind: j.kind, dim: d, k: j.k, train };
    }
    case 'model-output':
      return { kind: j.kind, dim: d, classIndex: j.classIndex };
    case 'knn-cosine':
    case 'kmeans-cosine':
    case 'patch-knn': {
      const refs = decode(j.refs, 'refs');
      if (d === 0 || refs.length === 0 || refs.length % d !== 0) {
        throw new Error(`invalid back-end JSON: refs has ${refs.length} values, not whole vectors of ${d}`);
      }
      return { kind: j.kind, dim: d, refs };
    }
    default: {
      const full = hasFullCovariance(j.kind);
      const covLength = full ? triangle(d) : j.kind === 'gaussian-diag' ? d : 1;
      const covariance = decode(j.covariance, 'covariance', covLength);
      return {
        kind: j.kind,
        dim: d,
        mean: decode(j.mean, 'mean', d),
        covariance: full ? unpackLower(covariance, d, 1) : covariance,
      };
    }
  }
}
