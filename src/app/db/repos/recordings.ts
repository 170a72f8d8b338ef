import type { Db } from '../database.ts';
import type {
  ImportError,
  Recording,
  RecordingDomain,
  RecordingLabel,
  RecordingRole,
  RecordingStorage,
} from '../../../shared/domain.ts';
import { NotFoundError } from '../../errors.ts';
import { byId, nowIso, oneRow, parseJson } from './util.ts';

export interface RecordingRow {
  id: number;
  project_id: number;
  machine_id: number;
  path: string;
  storage: RecordingStorage;
  original_path: string;
  file_name: string;
  content_hash: string;
  container: string;
  codec: string;
  channels: number;
  sample_rate_hz: number;
  bits_per_sample: number;
  duration_s: number;
  role: RecordingRole;
  label: RecordingLabel;
  source: string;
  added_to_training: number;
  role_before_training: RecordingRole | null;
  imported_at: string;
  level_dbfs: number | null;
  warnings: string;
  section: string | null;
  domain: RecordingDomain | null;
  attributes: string;
}

export const toRecording = (r: RecordingRow): Recording => ({
  id: r.id,
  projectId: r.project_id,
  machineId: r.machine_id,
  path: r.path,
  storage: r.storage,
  originalPath: r.original_path,
  fileName: r.file_name,
  contentHash: r.content_hash,
  format: {
    container: r.container,
    codec: r.codec,
    channels: r.channels,
    sampleRateHz: r.sample_rate_hz,
    bitsPerSample: r.bits_per_sample,
  },
  durationS: r.duration_s,
  role: r.role,
  label: r.label,
  source: r.source,
  addedToTraining: !!r.added_to_training,
  roleBeforeTraining: r.role_before_training,
  importedAt: r.imported_at,
  levelDbfs: r.level_dbfs,
  warnings: parseJson(r.warnings, []),
  section: r.section,
  domain: r.domain,
  attributes: parseJson(r.attributes, {}),
});

/** A recording as an import creates it: the stored row less what the database assigns. */
export type NewRecording = Omit<
  Recording,
  | 'id'
  | 'addedToTraining'
  | 'roleBeforeTraining'
  | 'importedAt'
  | 'section'
  | 'domain'
  | 'attributes'
  | 'warnings'
  | 'levelDbfs'
> &
  Partial<Pick<Recording, 'section' | 'domain' | 'attributes' | 'warnings' | 'levelDbfs'>> & {
    importJobId?: number | null;
  };

export interface RecordingQuery {
  projectId: number;
  machineId?: number;
  role?: RecordingRole;
  label?: RecordingLabel;
  limit?: number;
  offset?: number;
}

export class RecordingRepository {
  constructor(private readonly db: Db) {}

  insert(r: NewRecording): Recording {
    const info = this.db
      .prepare(
        `INSERT INTO recording (project_id, machine_id, path, storage, original_path, file_name, content_hash,
           container, codec, channels, sample_rate_hz, bits_per_sample, duration_s, role, label, source,
           import_job_id, imported_at, level_dbfs, warnings, section, domain, attributes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.projectId,
        r.machineId,
        r.path,
        r.storage,
        r.originalPath,
        r.fileName,
        r.contentHash,
        r.format.container,
        r.format.codec,
        r.format.channels,
        r.format.sampleRateHz,
        r.format.bitsPerSample,
        r.durationS,
        r.role,
        r.label,
        r.source,
        r.importJobId ?? null,
        nowIso(),
        r.levelDbfs ?? null,
        JSON.stringify(r.warnings ?? []),
        r.section ?? null,
        r.domain ?? null,
        JSON.stringify(r.attributes ?? {}),
      );
    return this.get(Number(info.lastInsertRowid))!;
  }
  get = (id: number): Recording | undefined => byId(this.db, 'recording', id, toRecording);
  byHash(projectId: number, contentHash: string): Recording | undefined {
    const sql = 'SELECT * FROM recording WHERE project_id = ? AND content_hash = ?';
    return oneRow(this.db, sql, [projectId, contentHash], toRecording);
  }
  list(q: RecordingQuery): Recording[] {
    const where = ['project_id = @projectId'];
    if (q.machineId !== undefined) where.push('machine_id = @machineId');
    if (q.role !== undefined) where.push('role = @role');
    if (q.label !== undefined) where.push('label = @label');
    const rows = this.db
      .prepare(`SELECT * FROM recording WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit OFFSET @offset`)
      .all({ ...q, limit: q.limit ?? -1, offset: q.offset ?? 0 }) as RecordingRow[];
    return rows.map(toRecording);
  }
  count(projectId: number): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM recording WHERE project_id = ?').get(projectId) as {
        n: number;
      }
    ).n;
  }
  /** Normal recordings a back-end learns from: role train (false alarms added to training included). */
  trainingSet(machineId: number): Recording[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM recording WHERE machine_id = ? AND role = 'train' AND label != 'anomaly' ORDER BY id`,
      )
      .all(machineId) as RecordingRow[];
    return rows.map(toRecording);
  }
  /** Recordings of a project without a score from `modelId`, oldest first. */
  unscored(projectId: number, modelId: number, roles: RecordingRole[] = ['test', 'monitor']): Recording[] {
    const rows = this.db
      .prepare(
        `SELECT r.* FROM recording r
           WHERE r.project_id = ? AND r.role IN (${roles.map(() => '?').join(',')})
             AND NOT EXISTS (SELECT 1 FROM score s WHERE s.recording_id = r.id AND s.model_id = ?)
           ORDER BY r.id`,
      )
      .all(projectId, ...roles, modelId) as RecordingRow[];
    return rows.map(toRecording);
  }
  setLabel(id: number, label: RecordingLabel): void {
    this.db.prepare('UPDATE recording SET label = ? WHERE id = ?').run(label, id);
  }
  /**
   * Moves a clip into the training set (role train, remembering its role) or back out of it
   * (the remembered role). Only clips added this way move back: an imported training clip stays.
   */
  setAddedToTraining(id: number, added: boolean): void {
    if (added)
      this.db
        .prepare(
          `UPDATE recording SET added_to_training = 1, role_before_training = role, role = 'train'
            WHERE id = ? AND added_to_training = 0 AND role != 'train'`,
        )
        .run(id);
    else
      this.db
        .prepare(
          `UPDATE recording SET added_to_training = 0, role = coalesce(role_before_training, role),
             role_before_training = NULL WHERE id = ? AND added_to_training = 1`,
        )
        .run(id);
  }
  /** Moves a recording to another machine, role or label (`recordings/update`). */
  update(id: number, patch: { machineId?: number; role?: RecordingRole; label?: RecordingLabel }): void {
    const cur = this.get(id);
    if (!cur) throw new NotFoundError('recording', id);
    this.db
      .prepare(
        `UPDATE recording SET machine_id = ?, role = ?, label = ?,
           added_to_training = CASE WHEN ? = 'train' THEN added_to_training ELSE 0 END,
           role_before_training = CASE WHEN ? = 'train' THEN role_before_training ELSE NULL END
         WHERE id = ?`,
      )
      .run(
        patch.machineId ?? cur.machineId,
        patch.role ?? cur.role,
        patch.label ?? cur.label,
        patch.role ?? cur.role,
        patch.role ?? cur.role,
        id,
      );
  }
  /** Median level (dBFS) of a machine's training clips: the reference a clip's level is compared with. */
  trainingLevelDbfs(machineId: number): number | null {
    const levels = this.db
      .prepare(
        `SELECT level_dbfs FROM recording WHERE machine_id = ? AND role = 'train' AND level_dbfs IS NOT NULL
          ORDER BY level_dbfs`,
      )
      .pluck()
      .all(machineId) as number[];
    if (levels.length === 0) return null;
    const mid = levels.length >> 1;
    return levels.length % 2 ? levels[mid]! : (levels[mid - 1]! + levels[mid]!) / 2;
  }

  recordImportError(e: { jobId: number | null; projectId: number; path: string; error: string }): void {
    this.db
      .prepare('INSERT INTO import_error (job_id, project_id, path, error, at) VALUES (?, ?, ?, ?, ?)')
      .run(e.jobId, e.projectId, e.path, e.error, nowIso());
  }
  importErrors(q: { projectId: number; jobId?: number; limit?: number }): ImportError[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM import_error WHERE project_id = ? ${q.jobId !== undefined ? 'AND job_id = ?' : ''}
           ORDER BY id LIMIT ?`,
      )
      .all(...[q.projectId, ...(q.jobId !== undefined ? [q.jobId] : []), q.limit ?? -1]) as {
      id: number;
      job_id: number | null;
      project_id: number;
      path: string;
      error: string;
      at: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      jobId: r.job_id,
      projectId: r.project_id,
      path: r.path,
      error: r.error,
      at: r.at,
    }));
  }
}
