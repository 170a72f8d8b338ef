import type { Db } from '../database.ts';
import type { Alarm, AlarmStatus, AuditEntry } from '../../../shared/domain.ts';
import { NotFoundError } from '../../errors.ts';
import { nowIso, parseJson } from './util.ts';

interface AlarmRow {
  id: number;
  recording_id: number;
  machine_id: number;
  project_id: number;
  score_id: number;
  threshold_id: number;
  score_value: number;
  threshold_value: number;
  status: AlarmStatus;
  note: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
  cleared_by_threshold_id: number | null;
}
const toAlarm = (r: AlarmRow): Alarm => ({
  id: r.id,
  recordingId: r.recording_id,
  machineId: r.machine_id,
  projectId: r.project_id,
  scoreId: r.score_id,
  thresholdId: r.threshold_id,
  scoreValue: r.score_value,
  thresholdValue: r.threshold_value,
  status: r.status,
  note: r.note,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
  clearedByThresholdId: r.cleared_by_threshold_id,
});

const SELECT_ALARM = `SELECT a.*, r.machine_id, r.project_id FROM alarm a JOIN recording r ON r.id = a.recording_id`;

export class AlarmRepository {
  constructor(private readonly db: Db) {}

  /**
   * Raises an alarm for a score; undefined if the recording already has an alarm (from any model)
   * that is not "cleared". A cleared alarm of the recording is re-opened (status new, this score
   * and threshold) instead: one alarm per recording.
   */
  raise(a: {
    recordingId: number;
    scoreId: number;
    thresholdId: number;
    scoreValue: number;
    thresholdValue: number;
  }): Alarm | undefined {
    const now = nowIso();
    const reopened = this.db
      .prepare(
        `UPDATE alarm SET status = 'new', score_id = @scoreId, threshold_id = @thresholdId, score_value = @scoreValue,
           threshold_value = @thresholdValue, cleared_by_threshold_id = NULL, updated_at = @now, updated_by = 'system'
         WHERE recording_id = @recordingId AND status = 'cleared'
         RETURNING id`,
      )
      .get({ ...a, now }) as { id: number } | undefined;
    if (reopened) return this.get(reopened.id);
    const info = this.db
      .prepare(
        // One alarm per recording: rescoring with a newly activated model does not flag (or
        // re-open) a clip that was already flagged and perhaps triaged.
        `INSERT INTO alarm (recording_id, score_id, threshold_id, score_value, threshold_value, status, created_at, updated_at)
         SELECT @recordingId, @scoreId, @thresholdId, @scoreValue, @thresholdValue, 'new', @now, @now
          WHERE NOT EXISTS (SELECT 1 FROM alarm WHERE recording_id = @recordingId)
         ON CONFLICT (score_id) DO NOTHING`,
      )
      .run({ ...a, now });
    return info.changes ? this.get(Number(info.lastInsertRowid)) : undefined;
  }
  get(id: number): Alarm | undefined {
    const r = this.db.prepare(`${SELECT_ALARM} WHERE a.id = ?`).get(id) as AlarmRow | undefined;
    return r && toAlarm(r);
  }
  /** Clears an untriaged alarm (status new) after a threshold change put its clip below the threshold. */
  clear(id: number, thresholdId: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE alarm SET status = 'cleared', cleared_by_threshold_id = ?, updated_at = ?, updated_by = 'system'
            WHERE id = ? AND status = 'new'`,
        )
        .run(thresholdId, nowIso(), id).changes > 0
    );
  }
  /** Alarms of one recording, oldest first. */
  forRecording(recordingId: number): Alarm[] {
    return (
      this.db.prepare(`${SELECT_ALARM} WHERE a.recording_id = ? ORDER BY a.id`).all(recordingId) as AlarmRow[]
    ).map(toAlarm);
  }
  list(q: {
    projectId: number;
    status?: AlarmStatus[];
    machineId?: number;
    limit?: number;
    offset?: number;
  }): Alarm[] {
    const where = ['r.project_id = ?'];
    const args: unknown[] = [q.projectId];
    if (q.machineId !== undefined) {
      where.push('r.machine_id = ?');
      args.push(q.machineId);
    }
    if (q.status?.length) {
      where.push(`a.status IN (${q.status.map(() => '?').join(',')})`);
      args.push(...q.status);
    }
    const rows = this.db
      .prepare(`${SELECT_ALARM} WHERE ${where.join(' AND ')} ORDER BY a.id DESC LIMIT ? OFFSET ?`)
      .all(...args, q.limit ?? 100, q.offset ?? 0) as AlarmRow[];
    return rows.map(toAlarm);
  }
  update(id: number, patch: { status?: AlarmStatus; note?: string }, by: string): Alarm {
    const cur = this.get(id);
    if (!cur) throw new NotFoundError('alarm', id);
    this.db
      .prepare('UPDATE alarm SET status = ?, note = ?, updated_at = ?, updated_by = ? WHERE id = ?')
      .run(patch.status ?? cur.status, patch.note ?? cur.note, nowIso(), by, id);
    return this.get(id)!;
  }
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  write(e: {
    actor: string;
    action: string;
    entity: string;
    entityId?: number | null;
    details?: Record<string, unknown>;
  }): void {
    this.db
      .prepare(
        'INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(nowIso(), e.actor, e.action, e.entity, e.entityId ?? null, JSON.stringify(e.details ?? {}));
  }
  /**
   * The latest model activation of a project recorded since `since` (ISO time): who did it and
   * which model; undefined if none.
   */
  lastActivation(projectId: number, since: string): { actor: string; modelId: number } | undefined {
    const r = this.db
      .prepare(
        `SELECT actor, details FROM audit_log WHERE entity = 'project' AND entity_id = ? AND action = 'activate-model'
           AND at >= ? ORDER BY id DESC LIMIT 1`,
      )
      .get(projectId, since) as { actor: string; details: string } | undefined;
    if (!r) return undefined;
    return { actor: r.actor, modelId: Number(parseJson<{ modelId?: unknown }>(r.details, {}).modelId) };
  }
  list(q: { entity?: string; entityId?: number; limit?: number } = {}): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.entity) {
      where.push('entity = ?');
      args.push(q.entity);
    }
    if (q.entityId !== undefined) {
      where.push('entity_id = ?');
      args.push(q.entityId);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...args, q.limit ?? 100) as {
      id: number;
      at: string;
      actor: string;
      action: string;
      entity: string;
      entity_id: number | null;
      details: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      details: parseJson(r.details, {}),
    }));
  }
}
