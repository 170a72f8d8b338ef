/**
 * Changing a machine's threshold: the new value (by value, target false-alarm rate or default
 * quantile), what the alarm rule then does to the machine's stored scores (raise / clear
 * untriaged), the same numbers as a dry run (preview), and undo. One transaction per change.
 */
import type { ApiParsedArgs, ThresholdChange, ThresholdView } from '../../shared/api.ts';
import type { Machine, Threshold, ThresholdMethod } from '../../shared/domain.ts';
import type { AppContext } from '../app-context.ts';
import { ConflictError } from '../errors.ts';
import { applyAlarmPlan, planAlarms } from './alarm-rule.ts';
import {
  defaultThreshold,
  labelledScores,
  ratesAt,
  thresholdForFalseAlarmRate,
  thresholdView,
} from './thresholds.ts';

export type ThresholdTarget = ApiParsedArgs<'thresholds/set'>;

/** A threshold to set: its value and how it was chosen. */
export interface NewThreshold {
  value: number;
  method: ThresholdMethod;
  quantile?: number | null;
  targetFalseAlarmRate?: number | null;
  replacesId?: number | null;
}

/** The value a request asks for, computed from the machine's scores under the model. */
export function resolveTarget(
  app: AppContext,
  machineId: number,
  modelId: number,
  target: ThresholdTarget,
): NewThreshold {
  const scores = labelledScores(app.ws, machineId, modelId);
  if ('value' in target) return { value: target.value, method: 'manual' };
  if ('targetFalseAlarmRate' in target) {
    if (scores.normal.length === 0)
      throw new ConflictError(
        `machine ${machineId} has no normal clip scores to set a false-alarm rate against`,
      );
    return {
      value: thresholdForFalseAlarmRate(scores.normal, target.targetFalseAlarmRate),
      method: 'target-far',
      targetFalseAlarmRate: target.targetFalseAlarmRate,
    };
  }
  return defaultThreshold(app.ws, machineId, modelId, target.quantile);
}

/** What setting `to` would change, and the plan the alarm rule would write. */
function plan(app: AppContext, machine: Machine, modelId: number, to: number) {
  const { ws } = app;
  const from = ws.thresholds.active(machine.id, modelId)?.value ?? null;
  // Alarms follow the project's effective model only (a candidate's scores raise none).
  const alarmsFollowModel = app.effectiveModelId(machine.projectId) === modelId;
  const alarmPlan = alarmsFollowModel ? planAlarms(ws, machine.id, modelId, to) : { raise: [], clear: [] };
  const change: ThresholdChange = {
    machineId: machine.id,
    modelId,
    from,
    to,
    raised: alarmPlan.raise.length,
    cleared: alarmPlan.clear.length,
    alarmsFollowModel,
    ...ratesAt(labelledScores(ws, machine.id, modelId), to),
  };
  return { change, alarmPlan };
}

/** The dry run: the numbers `thresholds/set` would report, nothing written. */
export function previewThreshold(app: AppContext, target: ThresholdTarget): ThresholdChange {
  const machine = app.machine(target.machineId);
  const modelId = app.modelOfProject(machine.projectId, target.modelId);
  return plan(app, machine, modelId, resolveTarget(app, machine.id, modelId, target).value).change;
}

/**
 * Sets `next` as the machine's threshold and applies the alarm rule to its stored scores, in one
 * transaction; audit-logged with the old and new values. Raised alarms become API events.
 */
export function applyThreshold(
  app: AppContext,
  machine: Machine,
  modelId: number,
  next: NewThreshold,
  actor: string,
  audit: { action: string; request: unknown },
): ThresholdView & { change: ThresholdChange } {
  const { ws } = app;
  const { change, raised } = ws.transaction(() => {
    const { change, alarmPlan } = plan(app, machine, modelId, next.value);
    const threshold: Threshold = ws.thresholds.set({ machineId: machine.id, modelId, setBy: actor, ...next });
    const applied = applyAlarmPlan(ws, alarmPlan, threshold);
    const actual = { ...change, raised: applied.raised.length, cleared: applied.cleared };
    app.audit(actor, audit.action, 'machine', machine.id, {
      modelId,
      request: audit.request,
      from: change.from,
      to: threshold.value,
      method: threshold.method,
      thresholdId: threshold.id,
      raised: actual.raised,
      cleared: actual.cleared,
    });
    return { change: actual, raised: applied.raised };
  });
  app.emitAlarms(raised);
  return { ...thresholdView(ws, machine.id, modelId), change };
}

export function setThreshold(app: AppContext, target: ThresholdTarget, actor: string) {
  const machine = app.machine(target.machineId);
  const modelId = app.modelOfProject(machine.projectId, target.modelId);
  const next = resolveTarget(app, machine.id, modelId, target);
  return applyThreshold(app, machine, modelId, next, actor, { action: 'set-threshold', request: target });
}

/**
 * Restores the threshold the active one replaced. The restored row records the one before as
 * what it replaces, so repeated undos walk back through the history.
 */
export function undoThreshold(app: AppContext, args: { machineId: number; modelId?: number }, actor: string) {
  const machine = app.machine(args.machineId);
  const modelId = app.modelOfProject(machine.projectId, args.modelId);
  const active = app.ws.thresholds.active(machine.id, modelId);
  const previous = active?.replacesId ? app.ws.thresholds.getById(active.replacesId) : undefined;
  if (!previous)
    throw new ConflictError(
      `machine ${machine.type}/${machine.name} has no earlier threshold under model ${modelId} to go back to`,
    );
  return applyThreshold(
    app,
    machine,
    modelId,
    {
      value: previous.value,
      method: previous.method,
      quantile: previous.quantile,
      targetFalseAlarmRate: previous.targetFalseAlarmRate,
      replacesId: previous.replacesId,
    },
    actor,
    { action: 'undo-threshold', request: { ...args, restoredThresholdId: previous.id } },
  );
}
