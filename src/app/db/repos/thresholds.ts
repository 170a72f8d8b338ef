import type { Db } from '../database.ts';
import type { Threshold, ThresholdMethod } from '../../../shared/domain.ts';
import { byId, nowIso, oneRow } from './util.ts';

interface ThresholdRow {
  id: number;
  machine_id: number;
  model_id: number;
  value: number;
  method: ThresholdMethod;
  quantile: number | null;
  target_far: number | null;
  set_by: string;
  set_at: string;
  active: number;
  replaces_id: number | null;
}
const toThreshold = (r: ThresholdRow): Threshold => ({
  id: r.id,
  machineId: r.machine_id,
  modelId: r.model_id,
  value: r.value,
  method: r.method,
  quantile: r.quantile,
  targetFalseAlarmRate: r.target_far,
  setBy: r.set_by,
  setAt: r.set_at,
  active: !!r.active,
  replacesId: r.replaces_id,
});

export class ThresholdRepository {
  constructor(private readonly db: Db) {}

  /**
   * Makes a new threshold the active one for (machine, model); the previous one stays as history
   * and is recorded as the one this replaces (unless `replacesId` says otherwise: an undo).
   */
  set(t: {
    machineId: number;
    modelId: number;
    value: number;
    method: ThresholdMethod;
    quantile?: number | null;
    targetFalseAlarmRate?: number | null;
    setBy: string;
    replacesId?: number | null;
  }): Threshold {
    return this.db.transaction(() => {
      const previous = this.active(t.machineId, t.modelId);
      this.db
        .prepare('UPDATE threshold SET active = 0 WHERE machine_id = ? AND model_id = ? AND active = 1')
        .run(t.machineId, t.modelId);
      const info = this.db
        .prepare(
          `INSERT INTO threshold (machine_id, model_id, value, method, quantile, target_far, set_by, set_at, active, replaces_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
        )
        .run(
          t.machineId,
          t.modelId,
          t.value,
          t.method,
          t.quantile ?? null,
          t.targetFalseAlarmRate ?? null,
          t.setBy,
          nowIso(),
          t.replacesId === undefined ? (previous?.id ?? null) : t.replacesId,
        );
      return this.getById(Number(info.lastInsertRowid))!;
    }).immediate();
  }
  getById = (id: number): Threshold | undefined => byId(this.db, 'threshold', id, toThreshold);
  active(machineId: number, modelId: number): Threshold | undefined {
    const sql = 'SELECT * FROM threshold WHERE machine_id = ? AND model_id = ? AND active = 1';
    return oneRow(this.db, sql, [machineId, modelId], toThreshold);
  }
  history(machineId: number, modelId: number): Threshold[] {
    return (
      this.db
        .prepare('SELECT * FROM threshold WHERE machine_id = ? AND model_id = ? ORDER BY id DESC')
        .all(machineId, modelId) as ThresholdRow[]
    ).map(toThreshold);
  }
}
