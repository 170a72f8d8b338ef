import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from './db/database.ts';
import { defaultWorkspaceDir } from './paths.ts';
import { MachineRepository, ProjectRepository } from './db/repos/projects.ts';
import { RecordingRepository } from './db/repos/recordings.ts';
import { JobRepository } from './db/repos/jobs.ts';
import { ModelRepository } from './db/repos/models.ts';
import { ScoreRepository } from './db/repos/scores.ts';
import { ThresholdRepository } from './db/repos/thresholds.ts';
import { AlarmRepository, AuditLog } from './db/repos/alarms.ts';
import { DashboardQueries } from './db/repos/dashboard.ts';

/**
 * One workspace folder: `auscult.db` (SQLite, WAL) plus, beside it, `recordings/` (copied
 * imports), `models/` (weights, checkpoints) and `cache/` (features keyed by content hash).
 */
export class Workspace {
  readonly dbFile: string;
  readonly recordingsDir: string;
  readonly modelsDir: string;
  readonly cacheDir: string;
  readonly projects: ProjectRepository;
  readonly machines: MachineRepository;
  readonly recordings: RecordingRepository;
  readonly jobs: JobRepository;
  readonly models: ModelRepository;
  readonly scores: ScoreRepository;
  readonly thresholds: ThresholdRepository;
  readonly alarms: AlarmRepository;
  readonly audit: AuditLog;
  readonly dashboard: DashboardQueries;

  private constructor(
    readonly dir: string,
    readonly db: Db,
  ) {
    this.dbFile = path.join(dir, 'auscult.db');
    this.recordingsDir = path.join(dir, 'recordings');
    this.modelsDir = path.join(dir, 'models');
    this.cacheDir = path.join(dir, 'cache');
    this.projects = new ProjectRepository(db);
    this.machines = new MachineRepository(db);
    this.recordings = new RecordingRepository(db);
    this.jobs = new JobRepository(db);
    this.models = new ModelRepository(db);
    this.scores = new ScoreRepository(db);
    this.thresholds = new ThresholdRepository(db);
    this.alarms = new AlarmRepository(db);
    this.audit = new AuditLog(db);
    this.dashboard = new DashboardQueries(db);
  }

  /** Opens the workspace in `dir` (default `AUSCULT_HOME` or the user-data folder), creating it. */
  static open(dir: string = defaultWorkspaceDir()): Workspace {
    const abs = path.resolve(dir);
    try {
      fs.mkdirSync(abs, { recursive: true });
    } catch (err) {
      throw new Error(`Cannot create workspace folder ${abs}: ${(err as Error).message}`);
    }
    return new Workspace(abs, openDatabase(path.join(abs, 'auscult.db')));
  }

  /**
   * Runs `fn` in one transaction (every multi-row change goes through here). IMMEDIATE: the write
   * lock is taken at BEGIN, waiting up to the busy timeout. A deferred transaction that reads
   * first (e.g. "find or create the machine") and then writes fails at once with SQLITE_BUSY when
   * another process (the application writing job progress) committed in between — which a
   * loaded machine makes likely: one file of an import failed that way now and then.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  modelDir(modelId: number): string {
    return path.join(this.modelsDir, `model-${modelId}`);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
