/**
 * THE alarm rule, in one place. Scoring (a new score), threshold changes (`thresholds/set`,
 * `thresholds/undo`), model activation and, through the API's `alarming` flags and machine
 * states, the screens all use it; nothing else decides whether a clip alarms.
 *
 *   A clip alarms when it is an evaluation clip (role test or monitor, never a training clip)
 *   and its score under the project's effective model is at or above its machine's threshold.
 *
 * Applying it to a clip that already has an alarm (one per recording): an alarming clip without
 * an alarm, or whose alarm was cleared, gets one ("raise"); a clip no longer alarming whose
 * alarm is untriaged (status new) has it cleared ("clear"). Triaged alarms (acknowledged,
 * confirmed anomaly, false alarm) are never changed by the rule: a person decided.
 */
import type { Alarm, AlarmStatus, RecordingRole, Threshold } from '../../shared/domain.ts';
import type { ScoreWithAlarm } from '../db/repos/scores.ts';
import type { Workspace } from '../workspace.ts';

export function isAlarming(
  role: RecordingRole,
  clipScore: number,
  threshold: number | null | undefined,
): boolean {
  return role !== 'train' && threshold !== null && threshold !== undefined && clipScore >= threshold;
}

export type AlarmAction = 'raise' | 'clear' | null;

/** What the rule asks for a clip, given whether it alarms and its current alarm's status (if any). */
export function alarmAction(alarming: boolean, current: AlarmStatus | null): AlarmAction {
  if (alarming) return current === null || current === 'cleared' ? 'raise' : null;
  return current === 'new' ? 'clear' : null;
}

/** The changes the rule makes to a machine's alarms under a threshold value (nothing is written). */
export interface AlarmPlan {
  raise: ScoreWithAlarm[];
  clear: ScoreWithAlarm[];
}

export function planAlarms(
  ws: Workspace,
  machineId: number,
  modelId: number,
  threshold: number | null,
): AlarmPlan {
  const plan: AlarmPlan = { raise: [], clear: [] };
  for (const row of ws.scores.withAlarms(modelId, machineId)) {
    const action = alarmAction(isAlarming(row.role, row.clipScore, threshold), row.alarmStatus);
    if (action) plan[action].push(row);
  }
  return plan;
}

/** Writes a plan made against `threshold` (call inside a transaction). Returns the raised alarms. */
export function applyAlarmPlan(
  ws: Workspace,
  plan: AlarmPlan,
  threshold: Threshold,
): { raised: Alarm[]; cleared: number } {
  const raised: Alarm[] = [];
  for (const row of plan.raise) {
    const alarm = ws.alarms.raise({
      recordingId: row.recordingId,
      scoreId: row.scoreId,
      thresholdId: threshold.id,
      scoreValue: row.clipScore,
      thresholdValue: threshold.value,
    });
    if (alarm) raised.push(alarm);
  }
  let cleared = 0;
  for (const row of plan.clear) if (ws.alarms.clear(row.alarmId!, threshold.id)) cleared++;
  return { raised, cleared };
}

/**
 * Applies the rule to every stored score of a project's machines under `modelId` with their
 * active thresholds (model activation). Returns the raised alarms and how many were cleared.
 */
export function reevaluateProject(
  ws: Workspace,
  projectId: number,
  modelId: number,
): { raised: Alarm[]; cleared: number } {
  return ws.transaction(() => {
    const out = { raised: [] as Alarm[], cleared: 0 };
    for (const machine of ws.machines.list(projectId)) {
      const threshold = ws.thresholds.active(machine.id, modelId);
      if (!threshold) continue;
      const r = applyAlarmPlan(ws, planAlarms(ws, machine.id, modelId, threshold.value), threshold);
      out.raised.push(...r.raised);
      out.cleared += r.cleared;
    }
    return out;
  });
}

/**
 * Applies the rule to one newly stored score (the scoring job). Returns the raised alarm, if any;
 * an untriaged alarm of the clip now below the threshold is cleared.
 */
export function applyAlarmRuleToScore(
  ws: Workspace,
  clip: { recordingId: number; role: RecordingRole; scoreId: number; clipScore: number },
  threshold: Threshold | undefined,
): Alarm | undefined {
  if (!threshold) return undefined;
  const current = ws.alarms.forRecording(clip.recordingId).at(-1);
  const row: ScoreWithAlarm = { ...clip, alarmId: current?.id ?? null, alarmStatus: current?.status ?? null };
  const action = alarmAction(isAlarming(clip.role, clip.clipScore, threshold.value), row.alarmStatus);
  if (!action) return undefined;
  return applyAlarmPlan(
    ws,
    { raise: action === 'raise' ? [row] : [], clear: action === 'clear' ? [row] : [] },
    threshold,
  ).raised[0];
}
