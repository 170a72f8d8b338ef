import type { Db } from '../database.ts';
import type { Job, JobKind, JobStatus } from '../../../shared/domain.ts';
import { nowIso, parseJson } from './util.ts';

interface JobRow {
  id: number;
  project_id: number | null;
  kind: JobKind;
  status: JobStatus;
  params: string;
  progress: number;
  progress_message: string;
  log: string;
  error: string | null;
  result: string | null;
  worker_pid: number | null;
  owner_pid: number | null;
  worker_start: string | null;
  owner_start: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const toJob = (r: JobRow): Job => ({
  id: r.id,
  projectId: r.project_id,
  kind: r.kind,
  status: r.status,
  params: parseJson(r.params, {}),
  progress: r.progress,
  progressMessage: r.progress_message,
  log: r.log,
  error: r.error,
  result: parseJson(r.result, null),
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** Keeps the stored log bounded: a 10,000-file import must not grow one row without limit. */
const MAX_LOG_CHARS = 200_000;

export class JobRepository {
  constructor(private readonly db: Db) {}

  create(j: { projectId: number | null; kind: JobKind; params: Record<string, unknown> }): Job {
    const info = this.db
      .prepare("INSERT INTO job (project_id, kind, status, params, created_at) VALUES (?, ?, 'queued', ?, ?)")
      .run(j.projectId, j.kind, JSON.stringify(j.params), nowIso());
    return this.get(Number(info.lastInsertRowid))!;
  }
  get(id: number): Job | undefined {
    const r = this.db.prepare('SELECT * FROM job WHERE id = ?').get(id) as JobRow | undefined;
    return r && toJob(r);
  }
  list(q: { projectId?: number; status?: JobStatus[]; limit?: number } = {}): Job[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.projectId !== undefined) {
      where.push('project_id = ?');
      args.push(q.projectId);
    }
    if (q.status?.length) {
      where.push(`status IN (${q.status.map(() => '?').join(',')})`);
      args.push(...q.status);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM job ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...args, q.limit ?? 100) as JobRow[];
    return rows.map(toJob);
  }
  /** Claims a queued job for this process (atomic: another application may be pumping too). */
  claim(id: number, ownerPid: number): boolean {
    return (
      this.db
        .prepare(
          "UPDATE job SET status = 'running', started_at = ?, owner_pid = ? WHERE id = ? AND status = 'queued'",
        )
        .run(nowIso(), ownerPid, id).changes > 0
    );
  }
  /** Records who runs the job: pids plus their start identities (see process-identity.ts). */
  markRunning(
    id: number,
    workerPid: number | null,
    ownerPid: number,
    identity: { workerStart?: string | null; ownerStart?: string | null } = {},
  ): void {
    this.db
      .prepare(
        `UPDATE job SET status = 'running', started_at = ?, worker_pid = ?, owner_pid = ?, worker_start = ?,
           owner_start = ? WHERE id = ?`,
      )
      .run(nowIso(), workerPid, ownerPid, identity.workerStart ?? null, identity.ownerStart ?? null, id);
  }
  /** The job process records itself: its pid and start identity (see process-identity.ts). */
  recordWorker(id: number, workerPid: number, workerStart: string | null): void {
    this.db
      .prepare("UPDATE job SET worker_pid = ?, worker_start = ? WHERE id = ? AND status = 'running'")
      .run(workerPid, workerStart, id);
  }
  setProgress(id: number, progress: number, message: string): void {
    this.db
      .prepare('UPDATE job SET progress = ?, progress_message = ? WHERE id = ?')
      .run(progress, message, id);
  }
  appendLog(id: number, lines: string): void {
    this.db
      .prepare(`UPDATE job SET log = substr(log || ?, -${MAX_LOG_CHARS}) WHERE id = ?`)
      .run(lines.endsWith('\n') ? lines : lines + '\n', id);
  }
  /** Moves a queued/running job to a final state; returns false if it had already finished. */
  finish(
    id: number,
    status: Exclude<JobStatus, 'queued' | 'running'>,
    detail: { error?: string | null; result?: Record<string, unknown> | null } = {},
  ): boolean {
    const info = this.db
      .prepare(
        `UPDATE job SET status = ?, error = ?, result = ?, finished_at = ?,
           progress = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress END
         WHERE id = ? AND status IN ('queued','running')`,
      )
      .run(
        status,
        detail.error ?? null,
        detail.result ? JSON.stringify(detail.result) : null,
        nowIso(),
        status,
        id,
      );
    return info.changes > 0;
  }
  /** Jobs in state 'running', with who runs them (to tell which were left by a process that is gone). */
  running(): (Job & {
    workerPid: number | null;
    ownerPid: number | null;
    workerStart: string | null;
    ownerStart: string | null;
  })[] {
    const rows = this.db.prepare("SELECT * FROM job WHERE status = 'running'").all() as JobRow[];
    return rows.map((r) => ({
      ...toJob(r),
      workerPid: r.worker_pid,
      ownerPid: r.owner_pid,
      workerStart: r.worker_start,
      ownerStart: r.owner_start,
    }));
  }
  queued(): Job[] {
    return (this.db.prepare("SELECT * FROM job WHERE status = 'queued' ORDER BY id").all() as JobRow[]).map(
      toJob,
    );
  }
}
