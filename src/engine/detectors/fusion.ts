/**
 * Score fusion from normal data only: each member detector's score is standardised with the mean
 * and standard deviation of its held-out normal training scores (cross-fitted: clips the member
 * was not fitted on), and the standardised scores are added with weights from the label-free
 * estimate (estimated AUC − 0.5, members at or below chance get 0). No test clip and no test label
 * enters the normalisation or the weights.
 */
import type { CandidateEstimate } from './label-free.ts';

export interface FusionMember {
  name: string;
  /** Mean and standard deviation of the member's held-out normal scores. */
  mean: number;
  std: number;
  weight: number;
}

export interface FusionPlan {
  members: FusionMember[];
}

function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const xs = Array.from(values).filter(Number.isFinite);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/**
 * The fusion of `estimates` (at most `maxMembers`, best estimated first). Null when no member has
 * a usable estimate and spread (too few normal clips).
 */
export function planFusion(estimates: CandidateEstimate[], maxMembers = 3): FusionPlan | null {
  const usable = estimates
    .filter((e) => Number.isFinite(e.auc) && e.auc > 0.5)
    .map((e) => ({ e, ...meanStd(e.heldOutScores) }))
    .filter((m) => Number.isFinite(m.mean) && m.std > 0)
    .sort((a, b) => b.e.auc - a.e.auc)
    .slice(0, maxMembers);
  if (usable.length === 0) return null;
  const total = usable.reduce((s, m) => s + (m.e.auc - 0.5), 0);
  return { members: usable.map((m) => ({ name: m.e.name, mean: m.mean, std: m.std, weight: (m.e.auc - 0.5) / total })) };
}

/** Fused scores from each member's scores of the same clips (`scoresOf(name)`, index-aligned). */
export function fuseScores(plan: FusionPlan, scoresOf: (name: string) => ArrayLike<number>): Float64Array {
  const first = scoresOf(plan.members[0]!.name);
  const out = new Float64Array(first.length);
  for (const m of plan.members) {
    const s = scoresOf(m.name);
    if (s.length !== out.length) throw new Error(`fusion: ${m.name} has ${s.length} scores, expected ${out.length}`);
    for (let i = 0; i < out.length; i++) out[i]! += (m.weight * (s[i]! - m.mean)) / m.std;
  }
  return out;
}
