import type { Db } from '../database.ts';
import type { AlarmStatus, Recording, Score } from '../../../shared/domain.ts';
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

/** A recording of a page with its score under the page's model and its alarm's status. */
export interface RecordingPageRow extends Recording {
  score: Pick<Score, 'clipScore' | 'backend' | 'modelId'> | null;
  alarmStatus: AlarmStatus | null;
}

/** Read-only aggregate queries behind the dashboard (one SQL statement each, indexed). */
export class DashboardQueries {
  constructor(private readonly db: Db) {}

  /** Per-machine counts of a project, scores taken from model `modelId` (may be null: nothing scored). */
  machineCounts(projectId: number, modelId: number | null): MachineCounts[] {
    // One pass over the project's recordings, one over its open alarms, one indexed look-up per
    // machine for the latest score: flat in the number of machines at 10,000+ recordings.
    const counts = new Map(
      (
        this.db
          .prepare(
            `SELECT r.machine_id AS machineId, count(*) AS recordingCount, total(r.role = 'train') AS trainCount, count(s.id) AS scoredCount
               FROM recording r LEFT JOIN score s ON s.recording_id = r.id AND s.model_id = @modelId
              WHERE r.project_id = @projectId GROUP BY r.machine_id`,
          )
          .all({ projectId, modelId }) as {
          machineId: number;
          recordingCount: number;
          trainCount: number;
          scoredCount: number;
        }[]
      ).map((c) => [c.machineId, c]),
    );
    const alarms = new Map(
      (
        this.db
          .prepare(
            `SELECT r.machine_id AS machineId, count(*) AS n FROM alarm a JOIN recording r ON r.id = a.recording_id
              WHERE a.status IN ('new', 'acknowledged') AND r.project_id = ? GROUP BY r.machine_id`,
          )
          .all(projectId) as { machineId: number; n: number }[]
      ).map((a) => [a.machineId, a.n]),
    );
    const last = this.db.prepare(
      `SELECT s.recording_id AS recordingId, s.clip_score AS clipScore, s.scored_at AS scoredAt
         FROM recording r JOIN score s ON s.recording_id = r.id AND s.model_id = ?
        WHERE r.machine_id = ? AND r.role != 'train' ORDER BY r.id DESC LIMIT 1`,
    );
    const backend = this.db
      .prepare('SELECT kind FROM backend_fit WHERE model_id = ? AND machine_id = ?')
      .pluck();
    const machines = this.db
      .prepare('SELECT id FROM machine WHERE project_id = ? ORDER BY type, name')
      .pluck()
      .all(projectId) as number[];
    return machines.map((machineId) => {
      const c = counts.get(machineId);
      const l =
        modelId === null
          ? undefined
          : (last.get(modelId, machineId) as
              { recordingId: number; clipScore: number; scoredAt: string } | undefined);
      return {
        machineId,
        trainCount: c?.trainCount ?? 0,
        recordingCount: c?.recordingCount ?? 0,
        scoredCount: c?.scoredCount ?? 0,
        openAlarms: alarms.get(machineId) ?? 0,
        backend: modelId === null ? null : ((backend.get(modelId, machineId) as string | undefined) ?? null),
        lastRecordingId: l?.recordingId ?? null,
        lastScore: l?.clipScore ?? null,
        lastScoredAt: l?.scoredAt ?? null,
      };
    });
  }

  /** A page of recordings with their score under `modelId` and their alarm's status. */
  recordingPage(
    q: RecordingQuery,
    modelId: number | null,
    toRecording: (row: unknown) => Recording,
  ): { total: number; items: RecordingPageRow[] } {
    const where = ['r.project_id = @projectId'];
    if (q.machineId !== undefined) where.push('r.machine_id = @machineId');
    if (q.role !== undefined) where.push('r.role = @role');
    if (q.label !== undefined) where.push('r.label = @label');
    const params = { ...q, modelId, limit: q.limit ?? 100, offset: q.offset ?? 0 };
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM recording r WHERE ${where.join(' AND ')}`).get(params) as {
        n: number;
      }
    ).n;
    const rows = this.db
      .prepare(
        // The page is cut first (index order, no sort), then only its rows are joined.
        `SELECT r.*, s.clip_score AS s_clip_score, s.backend AS s_backend, s.model_id AS s_model_id, a.status AS a_status
           FROM (SELECT * FROM recording r WHERE ${where.join(' AND ')} ORDER BY r.id DESC LIMIT @limit OFFSET @offset) r
           LEFT JOIN score s ON s.recording_id = r.id AND s.model_id = @modelId
           LEFT JOIN alarm a ON a.recording_id = r.id
          ORDER BY r.id DESC`,
      )
      .all(params) as (Record<string, unknown> & {
      s_clip_score: number | null;
      s_backend: string | null;
      s_model_id: number | null;
      a_status: AlarmStatus | null;
    })[];
    return {
      total,
      items: rows.map((row) => ({
        ...toRecording(row),
        score:
          row.s_clip_score === null
            ? null
            : { clipScore: row.s_clip_score, backend: row.s_backend!, modelId: row.s_model_id! },
        alarmStatus: row.a_status,
      })),
    };
  }
}
