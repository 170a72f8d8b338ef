import type { Db } from '../database.ts';
import type { Model, ModelKind, ModelStatus } from '../../../shared/domain.ts';
import { NotFoundError } from '../../errors.ts';
import { nowIso, parseJson } from './util.ts';

interface ModelRow {
  id: number;
  project_id: number;
  name: string;
  kind: ModelKind;
  subclusters: number;
  preset: string;
  config: string;
  status: ModelStatus;
  metrics: string | null;
  dir: string | null;
  job_id: number | null;
  created_at: string;
  trained_at: string | null;
}

const toModel = (r: ModelRow): Model => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  kind: r.kind,
  subclusters: r.subclusters,
  preset: r.preset,
  config: parseJson(r.config, {}),
  status: r.status,
  metrics: parseJson(r.metrics, null),
  dir: r.dir,
  jobId: r.job_id,
  createdAt: r.created_at,
  trainedAt: r.trained_at,
});

/** A back-end fitted for one machine under one model (serialised by the engine's `toJSON`). */
export interface BackendFit {
  modelId: number;
  machineId: number;
  kind: string;
  params: unknown;
  /** Number of training clips it was fitted on: a changed count means it is stale. */
  trainCount: number;
  /** Scores of training clips when held out (k-fold): the basis of the default threshold. */
  heldoutScores: number[];
  fittedAt: string;
}

export class ModelRepository {
  constructor(private readonly db: Db) {}

  create(m: {
    projectId: number;
    name: string;
    kind: ModelKind;
    subclusters?: number;
    preset?: string;
    config?: Record<string, unknown>;
    status: ModelStatus;
    dir?: string | null;
    jobId?: number | null;
  }): Model {
    const info = this.db
      .prepare(
        `INSERT INTO model (project_id, name, kind, subclusters, preset, config, status, dir, job_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.projectId,
        m.name,
        m.kind,
        m.subclusters ?? 1,
        m.preset ?? '',
        JSON.stringify(m.config ?? {}),
        m.status,
        m.dir ?? null,
        m.jobId ?? null,
        nowIso(),
      );
    return this.get(Number(info.lastInsertRowid))!;
  }
  get(id: number): Model | undefined {
    const r = this.db.prepare('SELECT * FROM model WHERE id = ?').get(id) as ModelRow | undefined;
    return r && toModel(r);
  }
  list(projectId: number): Model[] {
    return (
      this.db.prepare('SELECT * FROM model WHERE project_id = ? ORDER BY id').all(projectId) as ModelRow[]
    ).map(toModel);
  }
  /** The project's training-free mean-log-Mel model, if created. */
  baseline(projectId: number): Model | undefined {
    const r = this.db
      .prepare("SELECT * FROM model WHERE project_id = ? AND kind = 'mean-logmel' ORDER BY id LIMIT 1")
      .get(projectId) as ModelRow | undefined;
    return r && toModel(r);
  }
  update(
    id: number,
    patch: {
      status?: ModelStatus;
      metrics?: Record<string, unknown> | null;
      dir?: string | null;
      jobId?: number | null;
      trainedAt?: string | null;
      config?: Record<string, unknown>;
    },
  ): Model {
    const cur = this.get(id);
    if (!cur) throw new NotFoundError('model', id);
    this.db
      .prepare(
        'UPDATE model SET status = ?, metrics = ?, dir = ?, job_id = ?, trained_at = ?, config = ? WHERE id = ?',
      )
      .run(
        patch.status ?? cur.status,
        JSON.stringify(patch.metrics === undefined ? cur.metrics : patch.metrics),
        patch.dir === undefined ? cur.dir : patch.dir,
        patch.jobId === undefined ? cur.jobId : patch.jobId,
        patch.trainedAt === undefined ? cur.trainedAt : patch.trainedAt,
        JSON.stringify(patch.config ?? cur.config),
        id,
      );
    return this.get(id)!;
  }

  /** The recordings a model's training uses: fixed when it first starts, so a resumed run sees the same data. */
  trainingRecordingIds(id: number): number[] | null {
    const r = this.db.prepare('SELECT training_recording_ids AS ids FROM model WHERE id = ?').get(id) as
      { ids: string | null } | undefined;
    return parseJson<number[] | null>(r?.ids, null);
  }
  setTrainingRecordingIds(id: number, ids: number[]): void {
    this.db.prepare('UPDATE model SET training_recording_ids = ? WHERE id = ?').run(JSON.stringify(ids), id);
  }

  saveBackendFit(f: Omit<BackendFit, 'fittedAt'>): void {
    this.db
      .prepare(
        `INSERT INTO backend_fit (model_id, machine_id, kind, params, train_count, heldout_scores, fitted_at)
         VALUES (@modelId, @machineId, @kind, @params, @trainCount, @heldoutScores, @fittedAt)
         ON CONFLICT (model_id, machine_id) DO UPDATE SET kind = excluded.kind, params = excluded.params,
           train_count = excluded.train_count, heldout_scores = excluded.heldout_scores, fitted_at = excluded.fitted_at`,
      )
      .run({
        ...f,
        params: JSON.stringify(f.params),
        heldoutScores: JSON.stringify(f.heldoutScores),
        fittedAt: nowIso(),
      });
  }
  backendFit(modelId: number, machineId: number): BackendFit | undefined {
    const r = this.db
      .prepare('SELECT * FROM backend_fit WHERE model_id = ? AND machine_id = ?')
      .get(modelId, machineId) as
      | {
          model_id: number;
          machine_id: number;
          kind: string;
          params: string;
          train_count: number;
          heldout_scores: string;
          fitted_at: string;
        }
      | undefined;
    return (
      r && {
        modelId: r.model_id,
        machineId: r.machine_id,
        kind: r.kind,
        params: JSON.parse(r.params) as unknown,
        trainCount: r.train_count,
        heldoutScores: parseJson(r.heldout_scores, []),
        fittedAt: r.fitted_at,
      }
    );
  }
}
