import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  auc,
  partialAuc,
  rocCurve,
  thresholdStats,
  trapezoidArea,
} from '../../../src/engine/metrics/index.ts';
import { GOLDEN_DIR } from '../../helpers/shared.ts';

interface MetricsGolden {
  tolerance: number;
  cases: { labels: number[]; scores: number[]; auc: number; 'pauc_0.1': number }[];
}
const golden = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, 'metrics.json'), 'utf8')) as MetricsGolden;

describe('AUC and pAUC against scikit-learn (DCASE 2020 evaluator)', () => {
  golden.cases.forEach((c, i) => {
    it(`case ${i} (${c.labels.length} samples)`, () => {
      expect(Math.abs(auc(c.labels, c.scores) - c.auc)).toBeLessThanOrEqual(golden.tolerance);
      expect(Math.abs(partialAuc(c.labels, c.scores, 0.1) - c['pauc_0.1'])).toBeLessThanOrEqual(
        golden.tolerance,
      );
    });
  });

  it('AUC is the probability that an anomaly outscores a normal sample (ties count ½)', () => {
    for (const c of golden.cases) {
      let wins = 0;
      let pairs = 0;
      c.labels.forEach((li, i) => {
        if (li !== 1) return;
        c.labels.forEach((lj, j) => {
          if (lj !== 0) return;
          pairs++;
          wins += c.scores[i]! > c.scores[j]! ? 1 : c.scores[i] === c.scores[j] ? 0.5 : 0;
        });
      });
      expect(auc(c.labels, c.scores)).toBeCloseTo(wins / pairs, 12);
    }
  });

  it('pAUC with maxFpr = 1 is the AUC', () => {
    const c = golden.cases[1]!;
    expect(partialAuc(c.labels, c.scores, 1)).toBeCloseTo(auc(c.labels, c.scores), 14);
  });

  it('rejects a single class, mismatched lengths, bad labels and NaN scores', () => {
    expect(() => auc([0, 0, 0], [1, 2, 3])).toThrow(/both normal and anomalous/);
    expect(() => auc([0, 1], [1, 2, 3])).toThrow(/2 labels but 3 scores/);
    expect(() => auc([0, 2], [1, 2])).toThrow(/not 0\/1/);
    expect(() => auc([0, 1], [1, NaN])).toThrow(/NaN/);
    expect(() => partialAuc([0, 1], [1, 2], 0)).toThrow(/maxFpr/);
  });
});

describe('rocCurve', () => {
  it('groups tied scores into one point, like scikit-learn roc_curve(drop_intermediate=False)', () => {
    // sklearn: roc_curve([0,0,1,1,0,1], [0.1,0.4,0.35,0.8,0.4,0.4], drop_intermediate=False)
    const r = rocCurve([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.4, 0.4]);
    expect(Array.from(r.thresholds)).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
    expect(Array.from(r.tpr)).toEqual([0, 1 / 3, 2 / 3, 1, 1]);
    expect(Array.from(r.fpr)).toEqual([0, 0, 2 / 3, 2 / 3, 1]);
  });

  it('dropIntermediate removes collinear points but keeps the area', () => {
    const labels = [1, 1, 1, 0, 0, 0, 1, 0];
    const scores = [8, 7, 6, 5, 4, 3, 2, 1];
    const full = rocCurve(labels, scores);
    const thin = rocCurve(labels, scores, { dropIntermediate: true });
    // sklearn roc_curve(..., drop_intermediate=True): thresholds [inf, 6, 3, 2, 1]
    expect(Array.from(thin.thresholds)).toEqual([Infinity, 6, 3, 2, 1]);
    expect(full.thresholds.length).toBe(9);
    expect(trapezoidArea(thin.fpr, thin.tpr)).toBeCloseTo(trapezoidArea(full.fpr, full.tpr), 15);
  });

  it('handles infinite scores', () => {
    expect(auc([0, 1, 0, 1], [-Infinity, Infinity, 0, Infinity])).toBe(1);
  });
});

describe('thresholdStats', () => {
  it('counts score ≥ threshold as anomalous', () => {
    const s = thresholdStats([1, 1, 0, 0, 1, 0], [0.9, 0.5, 0.5, 0.1, 0.2, 0.7], 0.5);
    expect(s).toMatchObject({ tp: 2, fn: 1, fp: 2, tn: 1 });
    expect(s.tpr).toBeCloseTo(2 / 3, 15);
    expect(s.fpr).toBeCloseTo(2 / 3, 15);
    expect(s.precision).toBeCloseTo(0.5, 15);
    expect(s.f1).toBeCloseTo(4 / 7, 15);
  });

  it('agrees with the ROC curve at each of its thresholds', () => {
    const c = golden.cases[2]!;
    const r = rocCurve(c.labels, c.scores);
    for (let i = 1; i < r.thresholds.length; i += 7) {
      const s = thresholdStats(c.labels, c.scores, r.thresholds[i]!);
      expect(s.tpr).toBeCloseTo(r.tpr[i]!, 14);
      expect(s.fpr).toBeCloseTo(r.fpr[i]!, 14);
    }
  });

  it('reports NaN precision when nothing is flagged', () => {
    expect(thresholdStats([0, 1], [0.1, 0.2], 1).precision).toBeNaN();
  });
});
