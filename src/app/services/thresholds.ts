import { auc, partialAuc, thresholdStats } from '../../engine/metrics/index.ts';
import { median } from './health.ts';
import type { ThresholdView } from '../../shared/api.ts';
import type { Threshold } from '../../shared/domain.ts';
import type { Workspace } from '../workspace.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

/** Default quantile of held-out normal clip scores used as a machine's threshold. */
export const DEFAULT_THRESHOLD_QUANTILE = 0.9;

/** q-th quantile of `values` with linear interpolation between order statistics (numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile ${q} is outside [0, 1]`);
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (pos - lo) * (s[hi]! - s[lo]!);
}

/**
 * Lowest threshold at which at most `targetRate` of `normalScores` are flagged (score ≥
 * threshold ⇒ alarm): half-way between the k-th and (k+1)-th largest normal score, k = ⌊rate·n⌋.
 */
export function thresholdForFalseAlarmRate(normalScores: readonly number[], targetRate: number): number {
  if (normalScores.length === 0) throw new Error('no normal clip scores to set a threshold from');
  const s = [...normalScores].sort((a, b) => b - a);
  const k = Math.floor(targetRate * s.length + 1e-9);
  if (k >= s.length) return s.at(-1)!;
  if (k === 0) return s[0]! + Math.max(1e-9, Math.abs(s[0]!) * 1e-9);
  return (s[k - 1]! + s[k]!) / 2;
}

/** Normal and anomalous clip scores of a machine under a model: held-out training scores plus labelled clips. */
export function labelledScores(
  ws: Workspace,
  machineId: number,
  modelId: number,
): { normal: number[]; anomaly: number[]; heldout: number[] } {
  const heldout = ws.models.backendFit(modelId, machineId)?.heldoutScores ?? [];
  const normal = [...heldout];
  const anomaly: number[] = [];
  for (const s of ws.scores.labelledScores(modelId, machineId)) {
    // Training clips are represented by their held-out scores (a clip must not score itself).
    if (s.role === 'train') continue;
    if (s.label === 'normal') normal.push(s.clipScore);
    else if (s.label === 'anomaly') anomaly.push(s.clipScore);
  }
  return { normal, anomaly, heldout };
}

/** The default threshold of a machine under a model: the `q` quantile of its held-out normal scores. */
export function defaultThreshold(
  ws: Workspace,
  machineId: number,
  modelId: number,
  q = DEFAULT_THRESHOLD_QUANTILE,
): { value: number; method: 'default-quantile'; quantile: number } {
  const { heldout } = labelledScores(ws, machineId, modelId);
  if (heldout.length === 0)
    throw new ConflictError(
      `machine ${machineId} has no held-out normal scores under model ${modelId}: score it first`,
    );
  return { value: quantile(heldout, q), method: 'default-quantile', quantile: q };
}

/** Sets the default threshold (quantile of held-out normal scores) of a machine under a model. */
export function setDefaultThreshold(
  ws: Workspace,
  machineId: number,
  modelId: number,
  by: string,
  q = DEFAULT_THRESHOLD_QUANTILE,
): Threshold {
  return ws.thresholds.set({ machineId, modelId, setBy: by, ...defaultThreshold(ws, machineId, modelId, q) });
}

/**
 * False-alarm rate (share of normal scores at or above `value`) and detection rate (share of
 * anomalous ones); null without such scores.
 */
export function ratesAt(
  scores: { normal: number[]; anomaly: number[] },
  value: number,
): { falseAlarmRate: number | null; detectionRate: number | null } {
  const { normal, anomaly } = scores;
  if (normal.length + anomaly.length === 0) return { falseAlarmRate: null, detectionRate: null };
  const labels = [...normal.map(() => 0), ...anomaly.map(() => 1)];
  const st = thresholdStats(labels, [...normal, ...anomaly], value);
  return { falseAlarmRate: normal.length ? st.fpr : null, detectionRate: anomaly.length ? st.tpr : null };
}

/** Everything the threshold panel shows for one machine under one model. */
export function thresholdView(ws: Workspace, machineId: number, modelId: number): ThresholdView {
  const machine = ws.machines.get(machineId);
  if (!machine) throw new NotFoundError('machine', machineId);
  const threshold = ws.thresholds.active(machineId, modelId) ?? null;
  const { normal, anomaly, heldout } = labelledScores(ws, machineId, modelId);
  const rates = threshold
    ? ratesAt({ normal, anomaly }, threshold.value)
    : { falseAlarmRate: null, detectionRate: null };
  const evaluation = ws.scores.labelledScores(modelId, machineId).filter((s) => s.role !== 'train');
  const labels = evaluation.map((s) => (s.label === 'anomaly' ? 1 : 0));
  const both = labels.includes(1) && labels.includes(0);
  const scores = evaluation.map((s) => s.clipScore);
  return {
    machine,
    modelId,
    threshold,
    history: ws.thresholds.history(machineId, modelId),
    heldoutNormalScores: heldout,
    heldoutMedian: median(heldout),
    auc: both ? auc(labels, scores) : null,
    pauc: both ? partialAuc(labels, scores) : null,
    ...rates,
    normalCount: normal.length,
    anomalyCount: anomaly.length,
  };
}
