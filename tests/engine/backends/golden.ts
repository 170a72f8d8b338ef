import fs from 'node:fs';
import path from 'node:path';
import { GOLDEN_DIR } from '../../helpers/shared.ts';

/** One case of ../shared/golden/gmm.json (see its description). */
export interface GmmGoldenCase {
  N: number;
  D: number;
  K: number;
  max_iter: number;
  tol: number;
  reg_covar: number;
  X: number[][];
  means_init: number[][];
  init_weights: number[];
  init_covariances: number[][][];
  converged: boolean;
  n_iter: number;
  weights: number[];
  means: number[][];
  covariances: number[][][];
  lower_bound: number;
  queries: number[][];
  component_log_density: number[][];
  score_samples: number[];
  anomaly_score: number[];
}

export interface GmmGolden {
  tolerance_relative: number;
  cases: GmmGoldenCase[];
  gaussian: { mean: number[]; cov: number[][]; points: number[][]; log_density: number[] };
}

export function loadGmmGolden(): GmmGolden {
  return JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, 'gmm.json'), 'utf8')) as GmmGolden;
}

/** Row-major Float64Array of a nested array of any depth. */
export function flat(a: unknown): Float64Array {
  return Float64Array.from((a as unknown[]).flat(3) as number[]);
}

/** Largest |actual − expected| / max(|expected|, floor) over all entries. */
export function maxRelativeError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  floor = 1e-12,
): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), floor);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}
