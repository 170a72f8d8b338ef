import { describe, expect, it } from 'vitest';
import { PERTURBATION_KINDS, PERTURBATION_LEVELS, perturbAudio, perturbationSeed } from '../../../src/engine/detectors/perturbations.ts';
import { chooseDetector, estimateCandidates, foldOf, probeClipIndices, SWITCH_MARGIN_AUC, type CandidateInputs } from '../../../src/engine/detectors/label-free.ts';
import { fuseScores, planFusion } from '../../../src/engine/detectors/fusion.ts';
import { estimateQuality, spearman } from '../../../src/engine/detectors/rank-correlation.ts';
import { Random } from '../../../src/engine/datasets/prng.ts';

/** 2 s of a machine-like test signal: two harmonics and noise, 16 kHz. */
function clip(seed: number): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: 32000 }, (_, t) => 0.1 * Math.sin((2 * Math.PI * 120 * t) / 16000) + 0.05 * Math.sin((2 * Math.PI * 360 * t) / 16000) + 0.02 * rng.gaussian());
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('synthetic perturbations', () => {
  it.each([...PERTURBATION_KINDS])('%s is deterministic in (clip, kind, seed), keeps the length and changes the clip', (kind) => {
    const x = clip(1);
    const seed = perturbationSeed('clip-a');
    const a = perturbAudio(x, kind, seed);
    const b = perturbAudio(Float32Array.from(x), kind, seed);
    expect(a.length).toBe(x.length);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const diff = Float32Array.from(a, (v, t) => v - x[t]!);
    expect(rms(diff)).toBeGreaterThan(1e-3 * rms(x));
    // Another clip identity gives other faults (except the tilt, which has no random part).
    const other = perturbAudio(x, kind, perturbationSeed('clip-b'));
    if (kind !== 'tilt') expect(Buffer.from(other.buffer).equals(Buffer.from(a.buffer))).toBe(false);
    expect(x).toEqual(clip(1)); // the input is not changed
  });

  it('adds the tone at its stated level relative to the clip', () => {
    const x = clip(2);
    const y = perturbAudio(x, 'tone', 7);
    const added = Float32Array.from(y, (v, t) => v - x[t]!);
    expect(20 * Math.log10(rms(added) / rms(x))).toBeCloseTo(PERTURBATION_LEVELS.toneDb, 1);
  });
});

/** Clips of one window each; a detector "sees" the fault when its probes move far from the normals. */
function inputs(name: string, n: number, faultShift: number, seed: number): CandidateInputs {
  const rng = new Random(seed);
  const normal = () => [Float64Array.of(rng.gaussian(), rng.gaussian())];
  const probeClips = probeClipIndices(n);
  return {
    candidate: { name, kind: 'mean-logmel' }, // a full Gaussian on the raw vectors (no length normalisation)
    train: Array.from({ length: n }, normal),
    probes: probeClips.map(() => Array.from({ length: 5 }, () => [Float64Array.of(rng.gaussian() + faultShift, rng.gaussian())])),
  };
}

describe('label-free choice and fusion', () => {
  it('folds and probes are fixed by the clip count', () => {
    expect(probeClipIndices(5)).toEqual([0, 1, 2, 3, 4]);
    expect(probeClipIndices(24)).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
    expect([0, 1, 5, 6].map((c) => foldOf(c, 30))).toEqual([0, 1, 0, 1]);
    expect([0, 1, 2].map((c) => foldOf(c, 3))).toEqual([0, 1, 2]);
  });

  it('estimates from held-out normals against perturbed probes and picks the detector that sees the faults', () => {
    const n = 20;
    const blind = inputs('blind', n, 0, 1);
    const seeing = inputs('seeing', n, 8, 2);
    const estimates = estimateCandidates([blind, seeing], probeClipIndices(n));
    expect(estimates[1]!.auc).toBe(1);
    expect(estimates[0]!.auc).toBeLessThan(0.8);
    expect(estimates[0]!.heldOutScores.every(Number.isFinite)).toBe(true);
    expect(estimates[0]!.perturbedScores.length).toBe(8 * 5);
    const choice = chooseDetector(estimates, n);
    expect(choice.chosen).toBe('seeing');
    expect(choice.reason).toMatch(/seeing: best at telling 20 held-out normal clips from 40 copies with synthetic faults \(estimated AUC 100\.0 %; next blind/);
    expect(choice.reason).toMatch(/no anomaly labels used/);
    // Same inputs, same estimates: nothing random in the estimate.
    expect(estimateCandidates([blind, seeing], probeClipIndices(n)).map((e) => e.auc)).toEqual(estimates.map((e) => e.auc));
  });

  it('leaves the first candidate (the default) only for a clearly better estimate (SWITCH_MARGIN_AUC)', () => {
    const est = (name: string, auc: number) => ({ name, auc, pauc: auc, heldOutScores: new Float64Array(3), perturbedScores: new Float64Array(10) });
    const close = chooseDetector([est('mean-logmel', 0.9), est('meanstd-logmel', 0.9 + SWITCH_MARGIN_AUC - 0.001)], 30);
    expect(close.chosen).toBe('mean-logmel');
    expect(close.reason).toMatch(/^mean-logmel: kept — no other detector is clearly better .*best other meanstd-logmel 94\.9 %, a switch needs 5 points more/);
    const clear = chooseDetector([est('mean-logmel', 0.9), est('meanstd-logmel', 0.9 + SWITCH_MARGIN_AUC), est('frame-gaussian', 0.97)], 30);
    expect(clear.chosen).toBe('frame-gaussian');
    expect(clear.reason).toMatch(/^frame-gaussian: best at telling 30 held-out normal clips/);
    expect(SWITCH_MARGIN_AUC).toBe(0.05);
  });

  it('keeps the first candidate when a machine has too few clips to estimate', () => {
    const estimates = estimateCandidates([inputs('mean-logmel', 1, 0, 1), inputs('other', 1, 8, 2)], probeClipIndices(1));
    const choice = chooseDetector(estimates, 1);
    expect(choice.chosen).toBe('mean-logmel');
    expect(choice.reason).toMatch(/too few normal clips \(1\)/);
  });

  it('fusion standardises each member by its held-out normal scores and weights it by estimated AUC − 0.5', () => {
    const estimates = [
      { name: 'a', auc: 0.9, pauc: 0.8, heldOutScores: Float64Array.of(1, 2, 3), perturbedScores: new Float64Array() },
      { name: 'b', auc: 0.7, pauc: 0.6, heldOutScores: Float64Array.of(10, 20, 30), perturbedScores: new Float64Array() },
      { name: 'chance', auc: 0.5, pauc: 0.5, heldOutScores: Float64Array.of(0, 1, 2), perturbedScores: new Float64Array() },
    ];
    const plan = planFusion(estimates)!;
    expect(plan.members.map((m) => [m.name, m.mean, m.std])).toEqual([
      ['a', 2, 1],
      ['b', 20, 10],
    ]);
    expect(plan.members.map((m) => m.weight)).toEqual([2 / 3, 1 / 3].map((w) => expect.closeTo(w, 12)));
    const scores: Record<string, number[]> = { a: [2, 4], b: [20, 40] };
    const fused = fuseScores(plan, (name) => scores[name]!);
    expect(fused[0]).toBeCloseTo(0, 12);
    expect(fused[1]).toBeCloseTo((2 / 3) * 2 + (1 / 3) * 2, 12);
    expect(planFusion(estimates.slice(2))).toBeNull();
  });
});

describe('rank correlation of the estimate against true labels', () => {
  it('computes Spearman ρ with average ranks for ties, and the pick quality', () => {
    expect(spearman([1, 2, 3], [10, 20, 30])).toBeCloseTo(1, 15);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 15); // scipy.stats.spearmanr: 0.9487
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    const q = estimateQuality([
      { estimated: [0.9, 0.8, 0.7], trueAuc: [0.8, 0.7, 0.6], chosen: 0 },
      { estimated: [0.9, 0.8, 0.7], trueAuc: [0.6, 0.7, 0.8], chosen: 0 },
      { estimated: [1, 1, 1], trueAuc: [0.6, 0.7, 0.8], chosen: 2 },
    ]);
    expect(q).toMatchObject({ meanSpearman: 0, ids: 2, pickedBest: 2, total: 3 });
    expect(q.meanRegret).toBeCloseTo(0.2 / 3, 12);
  });
});
