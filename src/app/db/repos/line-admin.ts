import type { Db } from '../database.ts';

/** Which recordings a query covers: a whole line, or one machine of it. */
export type LineScope = { projectId: number; machineId?: number };

function where(scope: LineScope, alias: string): { sql: string; key: number } {
  return scope.machineId === undefined
    ? { sql: `${alias}.project_id = ?`, key: scope.projectId }
    : { sql: `${alias}.machine_id = ?`, key: scope.machineId };
}

/** Queries behind deleting, moving and summarising lines and machines (the Lines screens). */
export class LineAdminQueries {
  constructor(private readonly db: Db) {}

  /** Recordings of the scope, how many were copied, and their scores and alarms. */
  counts(scope: LineScope): { recordings: number; copied: number; scores: number; alarms: number } {
    const w = where(scope, 'r');
    const rec = this.db
      .prepare(
        `SELECT count(*) AS n, coalesce(sum(r.storage = 'copied'), 0) AS copied FROM recording r WHERE ${w.sql}`,
      )
      .get(w.key) as { n: number; copied: number };
    const scores = this.db
      .prepare(`SELECT count(*) FROM score s JOIN recording r ON r.id = s.recording_id WHERE ${w.sql}`)
      .pluck()
      .get(w.key) as number;
    const alarms = this.db
      .prepare(`SELECT count(*) FROM alarm a JOIN recording r ON r.id = a.recording_id WHERE ${w.sql}`)
      .pluck()
      .get(w.key) as number;
    return { recordings: rec.n, copied: rec.copied, scores, alarms };
  }

  /** Copied audio files of the scope that no recording outside it uses (content-addressed copies are shared). */
  copiedFilesOnlyHere(scope: LineScope): string[] {
    const inner = where(scope, 'r');
    const outer = where(scope, 'o');
    return this.db
      .prepare(
        `SELECT DISTINCT r.path FROM recording r WHERE ${inner.sql} AND r.storage = 'copied'
           AND NOT EXISTS (SELECT 1 FROM recording o WHERE o.path = r.path AND NOT (${outer.sql}))`,
      )
      .pluck()
      .all(inner.key, outer.key) as string[];
  }

  /** File names of the machine's recordings whose audio line `projectId` already has (up to `limit`). */
  contentAlreadyIn(machineId: number, projectId: number, limit = 3): string[] {
    return this.db
      .prepare(
        `SELECT r.file_name FROM recording r JOIN recording o
           ON o.content_hash = r.content_hash AND o.project_id = ? WHERE r.machine_id = ? LIMIT ?`,
      )
      .pluck()
      .all(projectId, machineId, limit) as string[];
  }

  /**
   * Moves a machine and its recordings to another line, dropping what belonged to the old line's
   * models (scores with their alarms, thresholds, back-end fits). Call inside a transaction.
   */
  moveMachine(machineId: number, projectId: number): void {
    this.db
      .prepare('DELETE FROM score WHERE recording_id IN (SELECT id FROM recording WHERE machine_id = ?)')
      .run(machineId);
    this.db.prepare('DELETE FROM threshold WHERE machine_id = ?').run(machineId);
    this.db.prepare('DELETE FROM backend_fit WHERE machine_id = ?').run(machineId);
    this.db.prepare('UPDATE recording SET project_id = ? WHERE machine_id = ?').run(projectId, machineId);
    this.db.prepare('UPDATE machine SET project_id = ? WHERE id = ?').run(projectId, machineId);
  }

  /** Newest import, job or alarm of a line (ISO time), or null. */
  lastActivity(projectId: number): string | null {
    return this.db
      .prepare(
        `SELECT max(at) FROM (
           SELECT max(imported_at) AS at FROM recording WHERE project_id = @id
           UNION ALL SELECT max(coalesce(finished_at, started_at, created_at)) FROM job WHERE project_id = @id
           UNION ALL SELECT max(a.created_at) FROM alarm a JOIN recording r ON r.id = a.recording_id WHERE r.project_id = @id)`,
      )
      .pluck()
      .get({ id: projectId }) as string | null;
  }

  /** Learned models of the workspace that have metrics, newest first (throughput measurements). */
  recentLearnedModelIds(limit = 20): number[] {
    return this.db
      .prepare(
        `SELECT id FROM model WHERE kind = 'sc-adacos' AND metrics IS NOT NULL
          ORDER BY coalesce(trained_at, created_at) DESC, id DESC LIMIT ?`,
      )
      .pluck()
      .all(limit) as number[];
  }
}
