import { describe, expect, it } from 'vitest';
import type { ModelComparison } from '../../../src/shared/api.ts';
import type { Machine, Model } from '../../../src/shared/domain.ts';
import {
  decidePromotion,
  summarizeComparison,
  type ComparisonSummary,
} from '../../../src/app/services/promotion.ts';

const baseline = { id: 1, kind: 'mean-logmel' };
const trained = { id: 2, kind: 'sc-adacos' };
const candidate = { id: 3 };
const summary = (a: [number, number], b: [number, number]): ComparisonSummary => ({
  machines: 2,
  clips: 16,
  a: { auc: a[0], pauc: a[1] },
  b: { auc: b[0], pauc: b[1] },
});

describe('summarizeComparison', () => {
  it('averages AUC and pAUC over the machines that have both labels, and is null without any', () => {
    const m = (id: number) => ({ id }) as Machine;
    const c = {
      models: [{} as Model, {} as Model],
      machines: [
        { machine: m(1), clips: 8, anomalies: 4, auc: [0.8, 0.6], pauc: [0.7, 0.5] },
        { machine: m(2), clips: 6, anomalies: 2, auc: [0.6, 0.8], pauc: [0.5, 0.9] },
        { machine: m(3), clips: 4, anomalies: 0, auc: null, pauc: null },
      ],
    } satisfies ModelComparison;
    const s = summarizeComparison(c)!;
    expect(s).toMatchObject({ machines: 2, clips: 14 });
    expect(s.a.auc).toBeCloseTo(0.7, 12);
    expect(s.b.auc).toBeCloseTo(0.7, 12);
    expect(s.a.pauc).toBeCloseTo(0.6, 12);
    expect(s.b.pauc).toBeCloseTo(0.7, 12);
    expect(summarizeComparison({ ...c, machines: [c.machines[2]] })).toBeNull();
  });
});

describe('decidePromotion', () => {
  const decide = (active: typeof baseline | null, deliberate: boolean, s: ComparisonSummary | null) =>
    decidePromotion({ active, deliberate, candidate, summary: s });

  it('keeps the active model when the new one has a lower mean AUC (the demo: 61.5 vs 76.0)', () => {
    const d = decide(baseline, false, summary([0.76, 0.781], [0.615, 0.671]));
    expect(d).toMatchObject({
      activated: false,
      candidateModelId: 3,
      activeModelId: 1,
      active: { auc: 0.76, pauc: 0.781 },
      candidate: { auc: 0.615, pauc: 0.671 },
    });
    expect(d.reason).toMatch(
      /^worse: mean AUC 61\.5 \/ pAUC 67\.1 vs 76\.0 \/ 78\.1 of model 1 \(baseline\)/,
    );
  });

  it('activates a model at least as good; pAUC breaks an AUC tie', () => {
    expect(decide(baseline, false, summary([0.7, 0.5], [0.71, 0.1])).activated).toBe(true);
    expect(decide(trained, false, summary([0.7, 0.5], [0.7, 0.6])).reason).toMatch(/^better/);
    expect(decide(baseline, false, summary([0.7, 0.5], [0.7, 0.5])).reason).toMatch(/^as good/);
    expect(decide(baseline, false, summary([0.7, 0.5], [0.7, 0.4]))).toMatchObject({
      activated: false,
      reason: expect.stringMatching(/^worse \(equal AUC, pAUC decides\): /),
    });
  });

  it('replaces a model activated by hand only when the new one is strictly better', () => {
    expect(decide(trained, true, summary([0.7, 0.5], [0.7, 0.5])).activated).toBe(false);
    expect(decide(trained, true, summary([0.7, 0.5], [0.7, 0.51])).activated).toBe(true);
    const noLabels = decide(trained, true, null);
    expect(noLabels).toMatchObject({ activated: false, active: null, candidate: null });
    expect(noLabels.reason).toMatch(/activated by hand/);
  });

  it('without labelled clips, or without any model, activates the new one', () => {
    expect(decide(baseline, false, null)).toMatchObject({ activated: true, machines: 0 });
    expect(decide(null, false, null).activated).toBe(true);
  });

  it('never activates a model whose scoring did not finish over an existing one', () => {
    const d = decidePromotion({
      active: baseline,
      deliberate: false,
      candidate,
      summary: null,
      scoringFailed: 'was failed',
    });
    expect(d).toMatchObject({
      activated: false,
      reason: expect.stringMatching(/scoring with the new model was failed/),
    });
  });
});
