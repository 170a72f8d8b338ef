import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTf, type TfBackendName } from '../../../src/engine/tf.ts';
import { classProbabilities, cosineLogits, initialScale, median, updateScale, weightedCrossEntropy } from '../../../src/engine/model/sc-adacos.ts';
import { GOLDEN_DIR } from '../../helpers/shared.ts';

interface GoldenCase {
  N: number;
  D: number;
  C: number;
  S: number;
  clamp_active: boolean;
  x: number[][];
  W: number[][];
  y_mixed: number[][];
  s_prev: number;
  f_max: number;
  B_avg: number;
  theta_class: number[];
  theta_med_numpy_linear: number;
  s_new: number;
  P: number[][];
  loss_per_sample: number[];
  loss_mean: number;
}
const golden = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, 'scadacos.json'), 'utf8')) as { cases: GoldenCase[] };

/** Clipped cosines in float64: N × (C·S) row-major. */
function cosines64(c: GoldenCase): Float64Array {
  const K = c.C * c.S;
  const out = new Float64Array(c.N * K);
  for (let i = 0; i < c.N; i++) {
    const xn = Math.hypot(...c.x[i]!);
    for (let k = 0; k < K; k++) {
      let dot = 0;
      let wn = 0;
      for (let d = 0; d < c.D; d++) {
        dot += c.x[i]![d]! * c.W[d]![k]!;
        wn += c.W[d]![k]! ** 2;
      }
      out[i * K + k] = dot / (xn * Math.sqrt(wn));
    }
  }
  return out;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe('SC-AdaCos scale update (float64) against golden/scadacos.json', () => {
  it('covers S = 1, 4, 16, a clamp-inactive case and an odd batch', () => {
    expect(golden.cases.map((c) => c.S).sort()).toEqual([1, 1, 16, 4]);
    expect(golden.cases.some((c) => !c.clamp_active)).toBe(true);
  });
  for (const c of golden.cases) {
    it(`N=${c.N} C=${c.C} S=${c.S}: f_max, B_avg, θ̂, θ̂_med and ŝ_new within 1e-5 relative`, () => {
      const u = updateScale(cosines64(c), c.y_mixed.flat(), c.N, c.C, c.S, c.s_prev);
      expect(rel(u.fMax, c.f_max)).toBeLessThan(1e-5);
      expect(rel(u.bAvg, c.B_avg)).toBeLessThan(1e-5);
      u.thetaClass.forEach((t, i) => expect(rel(t, c.theta_class[i]!)).toBeLessThan(1e-5));
      expect(rel(u.thetaMed, c.theta_med_numpy_linear)).toBeLessThan(1e-5);
      expect(rel(u.sNew, c.s_new)).toBeLessThan(1e-5);
    });
  }
  it('initial scale is √2·ln(C·S − 1) and median follows numpy', () => {
    expect(initialScale(41, 1)).toBeCloseTo(Math.SQRT2 * Math.log(40), 12);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe.each(['cpu', 'wasm'] as TfBackendName[])('SC-AdaCos output and loss (float32, %s backend)', (backend) => {
  for (const c of golden.cases) {
    it(`N=${c.N} C=${c.C} S=${c.S}: P and loss within 1e-4 relative`, async () => {
      const { tf } = await loadTf({ backend });
      const cos = tf.tensor2d(Float32Array.from(cosines64(c)), [c.N, c.C * c.S]);
      const y = tf.tensor2d(c.y_mixed.flat(), [c.N, c.C]);
      const p = classProbabilities(tf, cos, c.s_new, c.C, c.S);
      const loss = weightedCrossEntropy(tf, p, y);
      const pv = p.dataSync();
      const expected = c.P.flat();
      // Relative to each row's largest probability: tiny probabilities carry float32 rounding.
      for (let i = 0; i < c.N; i++) {
        const rowMax = Math.max(...c.P[i]!);
        for (let j = 0; j < c.C; j++) expect(Math.abs(pv[i * c.C + j]! - expected[i * c.C + j]!) / rowMax).toBeLessThan(1e-4);
      }
      expect(rel(loss.dataSync()[0]!, c.loss_mean)).toBeLessThan(1e-4);
      tf.dispose([cos, y, p, loss]);
    });
    it(`N=${c.N} C=${c.C} S=${c.S}: the training path (cosines in float32 → ŝ update) matches ŝ_new within 1e-4`, async () => {
      const { tf } = await loadTf({ backend });
      const x = tf.tensor2d(c.x.flat(), [c.N, c.D]);
      const w = tf.tensor2d(c.W.flat(), [c.D, c.C * c.S]);
      const cos = cosineLogits(tf, x, w);
      const cv = cos.dataSync();
      const c64 = cosines64(c);
      for (let i = 0; i < cv.length; i++) expect(Math.abs(cv[i]! - c64[i]!)).toBeLessThan(1e-5);
      const u = updateScale(cv, c.y_mixed.flat(), c.N, c.C, c.S, c.s_prev);
      expect(rel(u.sNew, c.s_new)).toBeLessThan(1e-4);
      tf.dispose([x, w, cos]);
    });
  }
});
