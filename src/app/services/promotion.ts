/**
 * The promotion gate: whether a newly trained model replaces the project's active model. Pure
 * functions over a model comparison (`models/compare`), so the rule is tested on constructed
 * numbers; `AppService` gathers the inputs and applies the decision.
 */
import type { ModelComparison } from '../../shared/api.ts';

/** Two AUCs (or pAUCs) closer than this are equal. */
const EPS = 1e-9;

/** Mean AUC/pAUC over the machines with both normal and anomalous labelled clips. */
export interface ComparisonSummary {
  /** Machines the means are over. */
  machines: number;
  /** Labelled clips on those machines (scored by both models). */
  clips: number;
  /** `models[0]` of the comparison. */
  a: { auc: number; pauc: number };
  /** `models[1]` of the comparison. */
  b: { auc: number; pauc: number };
}

/** Means over machines of a comparison; null when no machine has both labels (nothing to judge by). */
export function summarizeComparison(c: ModelComparison): ComparisonSummary | null {
  const rows = c.machines.filter((m) => m.auc && m.pauc);
  if (rows.length === 0) return null;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    machines: rows.length,
    clips: rows.reduce((n, m) => n + m.clips, 0),
    a: { auc: mean(rows.map((m) => m.auc![0])), pauc: mean(rows.map((m) => m.pauc![0])) },
    b: { auc: mean(rows.map((m) => m.auc![1])), pauc: mean(rows.map((m) => m.pauc![1])) },
  };
}

export interface PromotionInput {
  /** The model whose scores the project shows now (active, else the baseline); null if none. */
  active: { id: number; kind: string } | null;
  /** The user chose the active model by hand: the candidate must beat it, not just match it. */
  deliberate: boolean;
  candidate: { id: number };
  /** Active (a) vs candidate (b) on the labelled test/monitor clips; null without such labels. */
  summary: ComparisonSummary | null;
  /** The candidate's scoring job did not succeed (its status), so it cannot be judged. */
  scoringFailed?: string;
}

export interface PromotionDecision extends Record<string, unknown> {
  activated: boolean;
  reason: string;
  candidateModelId: number;
  activeModelId: number | null;
  /** Whether the active model had been chosen by hand. */
  deliberate: boolean;
  /** Mean AUC/pAUC of each model and how many machines/clips they are over; null without labels. */
  candidate: { auc: number; pauc: number } | null;
  active: { auc: number; pauc: number } | null;
  machines: number;
  clips: number;
  decidedAt: string;
}

const pct = (x: number) => (100 * x).toFixed(1);

/** -1, 0 or 1: the candidate (b) is worse, equal or better; AUC first, pAUC breaks a tie. */
export function compareSummary(s: ComparisonSummary): -1 | 0 | 1 {
  const d = s.b.auc - s.a.auc;
  if (Math.abs(d) > EPS) return d > 0 ? 1 : -1;
  const p = s.b.pauc - s.a.pauc;
  if (Math.abs(p) > EPS) return p > 0 ? 1 : -1;
  return 0;
}

/**
 * The rule: with labelled clips (both labels on a machine), the candidate is activated when its
 * mean AUC is ≥ the active model's (pAUC decides an AUC tie); a model the user activated by hand
 * is replaced only by a strictly better one. Without labels there is nothing to judge by: the
 * candidate is activated, unless the active model was chosen by hand. A candidate whose scoring
 * failed is never activated over an existing model.
 */
export function decidePromotion(input: PromotionInput, now = new Date()): PromotionDecision {
  const { active, deliberate, candidate, summary } = input;
  const base = {
    candidateModelId: candidate.id,
    activeModelId: active?.id ?? null,
    deliberate,
    candidate: summary ? summary.b : null,
    active: summary ? summary.a : null,
    machines: summary?.machines ?? 0,
    clips: summary?.clips ?? 0,
    decidedAt: now.toISOString(),
  };
  const decide = (activated: boolean, reason: string): PromotionDecision => ({ ...base, activated, reason });
  if (!active) return decide(true, 'the project had no model to compare with');
  if (active.id === candidate.id) return decide(true, 'it is already the active model');
  const who = `model ${active.id}${active.kind === 'mean-logmel' ? ' (baseline)' : ''}`;
  if (input.scoringFailed)
    return decide(false, `scoring with the new model ${input.scoringFailed}: ${who} stays active`);
  if (!summary) {
    return deliberate
      ? decide(
          false,
          `no labelled normal and anomalous test/monitor clips to compare on, and ${who} was activated by hand: it stays active`,
        )
      : decide(true, 'no labelled normal and anomalous test/monitor clips to compare on');
  }
  const figures = `mean AUC ${pct(summary.b.auc)} / pAUC ${pct(summary.b.pauc)} vs ${pct(summary.a.auc)} / ${pct(summary.a.pauc)} of ${who} on ${summary.clips} labelled clips of ${summary.machines} machine(s)`;
  const c = compareSummary(summary);
  const byPauc = Math.abs(summary.b.auc - summary.a.auc) <= EPS ? ' (equal AUC, pAUC decides)' : '';
  if (c > 0) return decide(true, `better${byPauc}: ${figures}`);
  if (c === 0 && !deliberate) return decide(true, `as good: ${figures}`);
  if (c === 0) return decide(false, `not better than ${who}, activated by hand: ${figures}`);
  return decide(false, `worse${byPauc}: ${figures}`);
}
