import { thresholdStats } from '../../engine/metrics/index.ts';
import type { ThresholdView } from '../../shared/api.ts';
import type { Alarm, Threshold } from '../../shared/domain.ts';
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

/** Sets the default threshold (quantile of held-out normal scores) of a machine under a model. */
export function setDefaultThreshold(
  ws: Workspace,
  machineId: number,
  modelId: number,
  by: string,
  q = DEFAULT_THRESHOLD_QUANTILE,
): Threshold {
  const { heldout } = labelledScores(ws, machineId, modelId);
  if (heldout.length === 0)
    throw new ConflictError(
      `machine ${machineId} has no held-out normal scores under model ${modelId}: score it first`,
    );
  return ws.thresholds.set({
    machineId,
    modelId,
    value: quantile(heldout, q),
    method: 'default-quantile',
    quantile: q,
    setBy: by,
  });
}

/** Everything the threshold panel shows for one machine under one model. */
export function thresholdView(ws: Workspace, machineId: number, modelId: number): ThresholdView {
  const machine = ws.machines.get(machineId);
  if (!machine) throw new NotFoundError('machine', machineId);
  const threshold = ws.thresholds.active(machineId, modelId) ?? null;
  const { normal, anomaly, heldout } = labelledScores(ws, machineId, modelId);
  let falseAlarmRate: number | null = null;
  let detectionRate: number | null = null;
  if (threshold && normal.length + anomaly.length > 0) {
    const labels = [...normal.map(() => 0), ...anomaly.map(() => 1)];
    const st = thresholdStats(labels, [...normal, ...anomaly], threshold.value);
    falseAlarmRate = normal.length ? st.fpr : null;
    detectionRate = anomaly.length ? st.tpr : null;
  }
  return {
    machine,
    modelId,
    threshold,
    history: ws.thresholds.history(machineId, modelId),
    heldoutNormalScores: heldout,
    falseAlarmRate,
    detectionRate,
    normalCount: normal.length,
    anomalyCount: anomaly.length,
  };
}

/**
 * Raises the alarms a model's stored scores call for (test/monitor clips at or above their
 * machine's threshold under that model; one alarm per recording, as when scoring). Used when a
 * model that was scored without raising alarms becomes the active one.
 */
export function raiseAlarmsFor(ws: Workspace, projectId: number, modelId: number): Alarm[] {
  const rows = ws.db
    .prepare(
      `SELECT s.id AS scoreId, s.recording_id AS recordingId, s.clip_score AS clipScore, r.machine_id AS machineId
         FROM score s JOIN recording r ON r.id = s.recording_id
        WHERE r.project_id = ? AND s.model_id = ? AND r.role != 'train' ORDER BY r.id`,
    )
    .all(projectId, modelId) as {
    scoreId: number;
    recordingId: number;
    clipScore: number;
    machineId: number;
  }[];
  return ws.transaction(() => {
    const raised: Alarm[] = [];
    for (const row of rows) {
      const threshold = ws.thresholds.active(row.machineId, modelId);
      if (!threshold || row.clipScore < threshold.value) continue;
      const alarm = ws.alarms.raise({
        recordingId: row.recordingId,
        scoreId: row.scoreId,
        thresholdId: threshold.id,
        scoreValue: row.clipScore,
        thresholdValue: threshold.value,
      });
      if (alarm) raised.push(alarm);
    }
    return raised;
  });
}
