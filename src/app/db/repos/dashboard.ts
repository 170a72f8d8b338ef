import type { Db } from '../database.ts';
import type { RecordingRow } from '../../../shared/api.ts';
import type { AlarmStatus, Recording } from '../../../shared/domain.ts';
import type { RecordingQuery } from './recordings.ts';

export interface MachineCounts {
  machineId: number;
  trainCount: number;
  recordingCount: number;
  scoredCount: number;
  openAlarms: number;
  backend: string | null;
  lastRecordingId: number | null;
  lastScore: number | null;
  lastScoredAt: string | null;
}

/** Read-only aggregate queries behind the dashboard (one SQL statement each, indexed). */
export class DashboardQueries {
  constructor(private readonly db: Db) {}

  /** Per-machine counts of a project, scores taken from model `modelId` (may be null: nothing scored). */
  machineCounts(projectId: number, modelId: number | null): MachineCounts[] {
    return this.db
      .prepare(
        `SELECT m.id AS machineId,
           (SELECT count(*) FROM recording r WHERE r.machine_id = m.id AND r.role = 'train') AS trainCount,
           (SELECT count(*) FROM recording r WHERE r.machine_id = m.id) AS recordingCount,
           (SELECT count(*) FROM recording r JOIN score s ON s.recording_id = r.id AND s.model_id = @modelId
              WHERE r.machine_id = m.id) AS scoredCount,
           (SELECT count(*) FROM recording r JOIN alarm a ON a.recording_id = r.id
              WHERE r.machine_id = m.id AND a.status IN ('new', 'acknowledged')) AS openAlarms,
           (SELECT b.kind FROM backend_fit b WHERE b.machine_id = m.id AND b.model_id = @modelId) AS backend,
           last.recording_id AS lastRecordingId, last.clip_score AS lastScore, last.scored_at AS lastScoredAt
         FROM machine m
         LEFT JOIN score last ON last.id = (
           SELECT s.id FROM recording r JOIN score s ON s.recording_id = r.id AND s.model_id = @modelId
            WHERE r.machine_id = m.id AND r.role != 'train' ORDER BY r.id DESC LIMIT 1)
         WHERE m.project_id = @projectId
         ORDER BY m.type, m.name`,
      )
      .all({ projectId, modelId }) as MachineCounts[];
  }

  /** A page of recordings with their score under `modelId` and their alarm's status. */
  recordingPage(q: RecordingQuery, modelId: number | null, toRecording: (row: unknown) => Recording): { total: number; items: RecordingRow[] } {
    const where = ['r.project_id = @projectId'];
    if (q.machineId !== undefined) where.push('r.machine_id = @machineId');
    if (q.role !== undefined) where.push('r.role = @role');
    if (q.label !== undefined) where.push('r.label = @label');
    const params = { ...q, modelId, limit: q.limit ?? 100, offset: q.offset ?? 0 };
    const total = (this.db.prepare(`SELECT count(*) AS n FROM recording r WHERE ${where.join(' AND ')}`).get(params) as { n: number }).n;
    const rows = this.db
      .prepare(
        `SELECT r.*, s.clip_score AS s_clip_score, s.backend AS s_backend, s.model_id AS s_model_id, a.status AS a_status
           FROM recording r
           LEFT JOIN score s ON s.recording_id = r.id AND s.model_id = @modelId
           LEFT JOIN alarm a ON a.score_id = s.id
          WHERE ${where.join(' AND ')}
          ORDER BY r.id DESC LIMIT @limit OFFSET @offset`,
      )
      .all(params) as (Record<string, unknown> & { s_clip_score: number | null; s_backend: string | null; s_model_id: number | null; a_status: AlarmStatus | null })[];
    return {
      total,
      items: rows.map((row) => ({
        ...toRecording(row),
        score: row.s_clip_score === null ? null : { clipScore: row.s_clip_score, backend: row.s_backend!, modelId: row.s_model_id! },
        alarmStatus: row.a_status,
      })),
    };
  }
}
