import type { Db } from '../database.ts';
import type { AlarmStatus, RecordingLabel } from '../../../shared/domain.ts';

export interface SeriesRow {
  recordingId: number;
  fileName: string;
  at: string;
  label: RecordingLabel;
  clipScore: number;
  alarmId: number | null;
  alarmStatus: AlarmStatus | null;
}

const SERIES_SELECT = `SELECT r.id AS recordingId, r.file_name AS fileName, r.imported_at AS at, r.label AS label,
    s.clip_score AS clipScore, a.id AS alarmId, a.status AS alarmStatus
  FROM recording r JOIN score s ON s.recording_id = r.id AND s.model_id = @modelId
  LEFT JOIN alarm a ON a.score_id = s.id`;

export interface AlarmFilter {
  projectId: number;
  machineId?: number;
  status?: AlarmStatus[];
  since?: string;
}

/** Read-only queries behind the machine views: score series, flagged clips, clip rate. */
export class MonitoringQueries {
  constructor(private readonly db: Db) {}

  /** Scored test/monitor clips of a machine under a model, newest first, older than recording `before`. */
  seriesPage(machineId: number, modelId: number, before: number | undefined, limit: number): SeriesRow[] {
    return this.db
      .prepare(
        `${SERIES_SELECT}
          WHERE r.machine_id = @machineId AND r.role != 'train' AND (@before IS NULL OR r.id < @before)
          ORDER BY r.id DESC LIMIT @limit`,
      )
      .all({ machineId, modelId, before: before ?? null, limit }) as SeriesRow[];
  }

  /** Number of scored test/monitor clips of a machine under a model. */
  seriesCount(machineId: number, modelId: number): number {
    return this.db
      .prepare(
        `SELECT count(*) FROM recording r JOIN score s ON s.recording_id = r.id AND s.model_id = ?
          WHERE r.machine_id = ? AND r.role != 'train'`,
      )
      .pluck()
      .get(modelId, machineId) as number;
  }

  /** Clips of a machine scored under a model since `sinceIso`. */
  scoredSince(machineId: number, modelId: number, sinceIso: string): number {
    return this.db
      .prepare(
        `SELECT count(*) FROM recording r JOIN score s ON s.recording_id = r.id AND s.model_id = ?
          WHERE r.machine_id = ? AND r.role != 'train' AND s.scored_at >= ?`,
      )
      .pluck()
      .get(modelId, machineId, sinceIso) as number;
  }

  /** Recordings of a machine with an alarm under a model (cleared ones excepted), newest first. */
  flaggedRecordingIds(machineId: number, modelId: number, limit: number): number[] {
    return this.db
      .prepare(
        `SELECT r.id FROM alarm a JOIN score s ON s.id = a.score_id AND s.model_id = ?
           JOIN recording r ON r.id = a.recording_id
          WHERE r.machine_id = ? AND a.status != 'cleared' ORDER BY r.id DESC LIMIT ?`,
      )
      .pluck()
      .all(modelId, machineId, limit) as number[];
  }

  /** The alarm a score raised, if any. */
  alarmIdForScore(scoreId: number): number | null {
    return (this.db.prepare('SELECT id FROM alarm WHERE score_id = ?').pluck().get(scoreId) as number | undefined) ?? null;
  }

  /** Alarm ids of a line matching the filters, newest first, with the file name of their clip. */
  alarmPage(f: AlarmFilter, limit: number, offset: number): { id: number; fileName: string }[] {
    const { where, args } = alarmWhere(f);
    return this.db
      .prepare(
        `SELECT a.id AS id, r.file_name AS fileName FROM alarm a JOIN recording r ON r.id = a.recording_id
          WHERE ${where} ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?`,
      )
      .all(...args, limit, offset) as { id: number; fileName: string }[];
  }

  alarmCount(f: AlarmFilter): number {
    const { where, args } = alarmWhere(f);
    return this.db
      .prepare(`SELECT count(*) FROM alarm a JOIN recording r ON r.id = a.recording_id WHERE ${where}`)
      .pluck()
      .get(...args) as number;
  }

  /** Count and arrival span of a machine's monitored clips (the clip rate behind alarms per day). */
  monitoredArrivals(machineId: number): { clips: number; first: string | null; last: string | null } {
    return this.db
      .prepare(
        `SELECT count(*) AS clips, min(imported_at) AS first, max(imported_at) AS last
           FROM recording WHERE machine_id = ? AND role = 'monitor'`,
      )
      .get(machineId) as { clips: number; first: string | null; last: string | null };
  }
}

function alarmWhere(f: AlarmFilter): { where: string; args: unknown[] } {
  const where = ['r.project_id = ?'];
  const args: unknown[] = [f.projectId];
  if (f.machineId !== undefined) {
    where.push('r.machine_id = ?');
    args.push(f.machineId);
  }
  if (f.status?.length) {
    where.push(`a.status IN (${f.status.map(() => '?').join(',')})`);
    args.push(...f.status);
  }
  if (f.since) {
    where.push('a.created_at >= ?');
    args.push(new Date(f.since).toISOString());
  }
  return { where: where.join(' AND '), args };
}
