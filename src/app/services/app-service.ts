import { EventEmitter } from 'node:events';
import path from 'node:path';
import { auc, partialAuc } from '../../engine/metrics/index.ts';
import {
  API_EVENTS,
  ApiError,
  isApiMethod,
  parseApiArgs,
  type ApiEventName,
  type ApiEvents,
  type ApiMethod,
  type ApiParsedArgs,
  type ApiResult,
  type ModelComparison,
} from '../../shared/api.ts';
import type { Job, Machine, Model, Project } from '../../shared/domain.ts';
import { SCHEMA_VERSION } from '../db/migrations.ts';
import { toRecording, type RecordingRow as DbRecordingRow } from '../db/repos/recordings.ts';
import { JobManager, type JobManagerOptions } from '../jobs/job-manager.ts';
import { packageVersion } from '../environment.ts';
import { Workspace } from '../workspace.ts';
import {
  setDefaultThreshold,
  thresholdForFalseAlarmRate,
  thresholdView,
  labelledScores,
  raiseAlarmsFor,
} from './thresholds.ts';
import { WatchedFolders } from './watch.ts';
import { ensureBaselineModel } from './baseline.ts';
import { decidePromotion, summarizeComparison, type PromotionDecision } from './promotion.ts';
import { previewImport } from './import-preview.ts';
import { listFolder } from './folders.ts';
import { assertNoActiveJobs, deleteWithFiles, deletionImpact, moveMachine } from './line-admin.ts';
import { trainingPlan } from './training-plan.ts';
import { lineOverview } from './lines-overview.ts';
import { collectDoctorReport, formatDoctorReport } from '../doctor.ts';
import fs from 'node:fs';

export interface AppServiceOptions extends JobManagerOptions {
  /** TF.js backend name shown by app/info and /api/health (the job processes load TF, not this one). */
  tfBackend?: string;
  /** Watch projects' folders (default true). */
  watch?: boolean;
  /** Poll watched folders instead of native events. */
  watchPolling?: boolean;
  /**
   * Test seam of the promotion gate: sees (and may replace) the comparison of the active model
   * (A) with a newly trained one (B) before the decision is taken.
   */
  promotionComparison?: (comparison: ModelComparison) => ModelComparison;
  /** Folders `files/listFolder` may list; default (null): anywhere (the desktop's local user). */
  importRoots?: string[] | null;
}

type Handlers = {
  [M in ApiMethod]: (args: ApiParsedArgs<M>, actor: string) => ApiResult<M> | Promise<ApiResult<M>>;
};

function notFound(what: string, id: number): never {
  throw new ApiError('not_found', `No ${what} with id ${id}`);
}

/**
 * The application services behind the API contract: every adapter (HTTP, IPC, CLI) calls
 * `call(method, args, actor)`. Owns the workspace, the job queue and the watched folders.
 */
export class AppService {
  readonly jobs: JobManager;
  private readonly events = new EventEmitter();
  private readonly watched: WatchedFolders | undefined;
  private readonly version = packageVersion('auscult') ?? '0.1.0';

  constructor(
    readonly ws: Workspace,
    private readonly opts: AppServiceOptions = {},
  ) {
    this.events.setMaxListeners(0);
    this.jobs = new JobManager(ws, { ...opts, afterFinish: (job) => this.afterJob(job, opts.afterFinish) });
    this.jobs.on('job', (j) => this.events.emit('job', j));
    this.jobs.on('alarm', (a) => this.events.emit('alarm', a));
    this.jobs.on('trainingEpoch', (e) => this.events.emit('trainingEpoch', e));
    if (opts.watch !== false) {
      this.watched = new WatchedFolders({
        usePolling: opts.watchPolling,
        onFiles: (project, files) => this.importWatched(project, files),
      });
    }
    this.jobs.pump();
  }

  /** Records the TF.js backend the job processes use (found after start-up; see `serve`). */
  setTfBackend(name: string): void {
    this.opts.tfBackend = name;
  }

  static open(dir?: string, opts: AppServiceOptions = {}): AppService {
    return new AppService(Workspace.open(dir), opts);
  }

  /** Starts watching every project's folder. Errors (a folder gone) are logged in the audit log. */
  async startWatching(): Promise<void> {
    if (!this.watched) return;
    for (const p of this.ws.projects.list()) {
      if (!p.watchDir) continue;
      try {
        await this.watched.sync(p);
      } catch (err) {
        this.ws.audit.write({
          actor: 'system',
          action: 'watch-failed',
          entity: 'project',
          entityId: p.id,
          details: { error: (err as Error).message },
        });
      }
    }
  }

  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    if (!API_EVENTS.includes(event)) throw new Error(`unknown event ${event}`);
    this.events.on(event, listener as (p: unknown) => void);
    return () => this.events.off(event, listener as (p: unknown) => void);
  }

  /** Validates `rawArgs` and runs `method`; every failure is an ApiError with a code. */
  async call<M extends ApiMethod>(method: M, rawArgs: unknown, actor = 'api'): Promise<ApiResult<M>> {
    if (!isApiMethod(method)) throw new ApiError('not_found', `unknown API method "${String(method)}"`);
    const args = parseApiArgs(method, rawArgs);
    try {
      return await (this.handlers[method] as (a: unknown, actor: string) => Promise<ApiResult<M>>)(
        args,
        actor,
      );
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const e = err as Error & { code?: string };
      if (e.code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new ApiError(
          'conflict',
          `already exists: ${e.message.replace(/^UNIQUE constraint failed: /, '')}`,
        );
      if (/^No \w+ with id/.test(e.message)) throw new ApiError('not_found', e.message);
      throw new ApiError('internal', e.message);
    }
  }

  async close(): Promise<void> {
    await this.watched?.close();
    await this.jobs.close();
    this.ws.close();
  }

  // --- helpers -------------------------------------------------------------------------------

  private project(id: number): Project {
    return this.ws.projects.get(id) ?? notFound('project', id);
  }
  private machine(id: number): Machine {
    return this.ws.machines.get(id) ?? notFound('machine', id);
  }
  private model(id: number): Model {
    return this.ws.models.get(id) ?? notFound('model', id);
  }
  /** The model whose scores the project shows: the active one, else the mean-log-Mel baseline. */
  effectiveModelId(projectId: number): number | null {
    return this.project(projectId).activeModelId ?? this.ws.models.baseline(projectId)?.id ?? null;
  }
  private modelFor(machine: Machine, modelId: number | undefined): number {
    if (modelId !== undefined) {
      if (this.model(modelId).projectId !== machine.projectId)
        throw new ApiError('bad_request', `model ${modelId} belongs to another project`);
      return modelId;
    }
    const id = this.effectiveModelId(machine.projectId);
    if (id === null)
      throw new ApiError(
        'conflict',
        `project ${machine.projectId} has no scores yet: import training recordings first`,
      );
    return id;
  }

  private enqueueScoring(projectId: number, params: Record<string, unknown> = {}): Job {
    // One pending scoring run per project picks up everything unscored; don't pile up more.
    const pending = this.ws.jobs
      .list({ projectId, status: ['queued'] })
      .find((j) => j.kind === 'score' && !j.params.recordingIds && !j.params.modelId);
    if (pending && !params.recordingIds && !params.modelId) return pending;
    return this.jobs.enqueue('score', { projectId, ...params }, projectId);
  }

  private importWatched(project: Project, files: string[]): void {
    const p = this.ws.projects.get(project.id);
    if (!p?.watchDir) return;
    this.jobs.enqueue(
      'import',
      { projectId: p.id, sources: files, role: 'monitor', copy: p.watchCopy, source: 'watch' },
      p.id,
    );
  }

  /**
   * Chaining after jobs, in this process: import → scoring; training → scoring with the new model
   * → the promotion gate (`promote`) decides whether it becomes the active model.
   */
  private afterJob(job: Job, outer?: (job: Job) => void): void {
    outer?.(job);
    if (job.projectId === null) return;
    if (job.kind === 'import' && job.status === 'succeeded' && Number(job.result?.imported ?? 0) > 0) {
      this.enqueueScoring(job.projectId);
    }
    if (job.kind === 'score' && job.params.promote === true) this.promote(job);
    if (job.kind === 'train') {
      const model = this.ws.models.get(Number(job.params.modelId));
      if (!model) return;
      if (job.status === 'succeeded') {
        this.jobs.enqueue(
          'score',
          { projectId: job.projectId, modelId: model.id, promote: true, raiseAlarms: false },
          job.projectId,
        );
      } else if (model.status === 'training' || model.status === 'queued') {
        // The job process could not record the outcome itself (killed, crashed, cancelled).
        this.ws.models.update(model.id, { status: job.status === 'failed' ? 'failed' : 'interrupted' });
      }
    }
  }

  /**
   * The promotion gate, once the newly trained model has scored the project's clips: compares it
   * with the active model on the labelled test/monitor clips (see `decidePromotion`), activates it
   * or keeps the active one, and records the decision in the model's metrics (`promotion`) and
   * the audit log.
   */
  private promote(job: Job): PromotionDecision | undefined {
    const projectId = job.projectId!;
    const candidate = this.ws.models.get(Number(job.params.modelId));
    const project = this.ws.projects.get(projectId);
    if (!candidate || candidate.status !== 'trained' || !project) return undefined;
    const activeId = this.effectiveModelId(projectId);
    const active = activeId === null ? undefined : this.ws.models.get(activeId);
    let summary = null;
    if (active && active.id !== candidate.id && job.status === 'succeeded') {
      const comparison = this.compareModels(projectId, active.id, candidate.id);
      summary = summarizeComparison(this.opts.promotionComparison?.(comparison) ?? comparison);
    }
    const decision = decidePromotion({
      active: active ? { id: active.id, kind: active.kind } : null,
      deliberate: active ? this.activatedByHand(project, active) : false,
      candidate,
      summary,
      scoringFailed: job.status === 'succeeded' ? undefined : `was ${job.status}`,
    });
    const alarms = this.ws.transaction(() => {
      if (decision.activated) this.ws.projects.setActiveModel(projectId, candidate.id);
      this.ws.models.update(candidate.id, { metrics: { ...(candidate.metrics ?? {}), promotion: decision } });
      this.ws.audit.write({
        actor: 'system',
        action: decision.activated ? 'activate-model' : 'keep-active-model',
        entity: 'project',
        entityId: projectId,
        details: { modelId: decision.activated ? candidate.id : activeId, ...decision },
      });
      // Its scoring raised no alarms while it was a candidate: now that it is active, it does.
      return decision.activated ? raiseAlarmsFor(this.ws, projectId, candidate.id) : [];
    });
    for (const a of alarms) this.events.emit('alarm', a);
    return decision;
  }

  /**
   * Whether the user chose the active model: the last activation recorded in the audit log was
   * not the system's. The implicit baseline (no active model set) was never chosen; a trained
   * model active without a record counts as chosen.
   */
  private activatedByHand(project: Project, active: Model): boolean {
    if (project.activeModelId === null) return false;
    const last = this.ws.db
      .prepare(
        `SELECT actor, details FROM audit_log WHERE entity = 'project' AND entity_id = ? AND action = 'activate-model'
           AND at >= ? ORDER BY id DESC LIMIT 1`,
      )
      .get(project.id, project.createdAt) as { actor: string; details: string } | undefined;
    const modelId = last ? Number((JSON.parse(last.details) as { modelId?: unknown }).modelId) : NaN;
    if (!last || modelId !== active.id) return active.kind !== 'mean-logmel';
    return last.actor !== 'system';
  }

  // --- the contract --------------------------------------------------------------------------

  private readonly handlers: Handlers = {
    'app/info': () => ({
      version: this.version,
      workspace: this.ws.dir,
      tfBackend: this.opts.tfBackend ?? 'wasm',
      schemaVersion: SCHEMA_VERSION,
    }),

    'projects/list': () => this.ws.projects.list(),
    'projects/overview': () =>
      this.ws.projects.list().map((p) => lineOverview(this.ws, p, this.effectiveModelId(p.id))),
    'projects/deletionImpact': ({ projectId }) => {
      this.project(projectId);
      return deletionImpact(this.ws, { projectId });
    },
    'projects/get': ({ projectId }) => this.project(projectId),
    'projects/create': ({ name, description }, actor) => {
      if (this.ws.projects.byName(name))
        throw new ApiError('conflict', `a project named "${name}" already exists`);
      const p = this.ws.projects.create({ name, description });
      this.ws.audit.write({ actor, action: 'create', entity: 'project', entityId: p.id, details: { name } });
      return p;
    },
    'projects/update': ({ projectId, ...patch }, actor) => {
      this.project(projectId);
      const p = this.ws.projects.update(projectId, patch);
      this.ws.audit.write({
        actor,
        action: 'update',
        entity: 'project',
        entityId: projectId,
        details: patch,
      });
      return p;
    },
    'projects/delete': async ({ projectId }, actor) => {
      const project = this.project(projectId);
      assertNoActiveJobs(this.ws, projectId, `line "${project.name}"`);
      await this.watched?.stop(projectId);
      const removed = deleteWithFiles(this.ws, { projectId });
      this.ws.audit.write({
        actor,
        action: 'delete',
        entity: 'project',
        entityId: projectId,
        details: { name: project.name, ...removed },
      });
      return { deleted: true };
    },
    'projects/watch': async ({ projectId, dir, copy }, actor) => {
      this.project(projectId);
      const p = this.ws.projects.update(projectId, {
        watchDir: dir === null ? null : path.resolve(dir),
        watchCopy: copy,
      });
      try {
        await this.watched?.sync(p);
      } catch (err) {
        this.ws.projects.update(projectId, { watchDir: null });
        throw new ApiError('bad_request', (err as Error).message);
      }
      this.ws.audit.write({
        actor,
        action: 'watch',
        entity: 'project',
        entityId: projectId,
        details: { dir, copy },
      });
      return p;
    },

    'machines/list': ({ projectId }) => {
      this.project(projectId);
      return this.ws.machines.list(projectId);
    },
    'machines/create': (args, actor) => {
      this.project(args.projectId);
      const m = this.ws.machines.create(args);
      this.ws.audit.write({
        actor,
        action: 'create',
        entity: 'machine',
        entityId: m.id,
        details: { type: m.type, name: m.name },
      });
      return m;
    },
    'machines/update': ({ machineId, ...patch }, actor) => {
      this.machine(machineId);
      const m = this.ws.machines.update(machineId, patch);
      this.ws.audit.write({
        actor,
        action: 'update',
        entity: 'machine',
        entityId: machineId,
        details: patch,
      });
      return m;
    },
    'machines/delete': ({ machineId }, actor) => {
      const machine = this.machine(machineId);
      assertNoActiveJobs(this.ws, machine.projectId, `machine ${machine.type}/${machine.name}`);
      const removed = deleteWithFiles(this.ws, { projectId: machine.projectId, machineId });
      this.ws.audit.write({
        actor,
        action: 'delete',
        entity: 'machine',
        entityId: machineId,
        details: { type: machine.type, name: machine.name, ...removed },
      });
      return { deleted: true };
    },
    'machines/deletionImpact': ({ machineId }) => {
      const machine = this.machine(machineId);
      return deletionImpact(this.ws, { projectId: machine.projectId, machineId });
    },
    'machines/move': ({ machineId, projectId }, actor) => {
      const machine = this.machine(machineId);
      const moved = moveMachine(this.ws, machine, projectId);
      this.ws.audit.write({
        actor,
        action: 'move',
        entity: 'machine',
        entityId: machineId,
        details: { from: machine.projectId, to: projectId },
      });
      if (moved.projectId !== machine.projectId) this.enqueueScoring(projectId);
      return moved;
    },

    'recordings/list': (q) => {
      this.project(q.projectId);
      return this.ws.dashboard.recordingPage(q, this.effectiveModelId(q.projectId), (row) =>
        toRecording(row as DbRecordingRow),
      );
    },
    'recordings/get': ({ recordingId }) => {
      const recording = this.ws.recordings.get(recordingId) ?? notFound('recording', recordingId);
      const alarms = this.ws.db
        .prepare('SELECT id FROM alarm WHERE recording_id = ? ORDER BY id')
        .all(recordingId) as { id: number }[];
      return {
        recording,
        machine: this.machine(recording.machineId),
        scores: this.ws.scores.forRecording(recordingId),
        alarms: alarms.map((a) => this.ws.alarms.get(a.id)!),
      };
    },
    'recordings/label': ({ recordingId, label, addToTraining }, actor) => {
      const rec = this.ws.recordings.get(recordingId) ?? notFound('recording', recordingId);
      if (addToTraining && label !== 'normal')
        throw new ApiError('bad_request', 'only clips labelled normal can be added to the training set');
      this.ws.transaction(() => {
        this.ws.recordings.setLabel(recordingId, label);
        if (addToTraining !== undefined)
          this.ws.recordings.setAddedToTraining(recordingId, addToTraining && label === 'normal');
        else if (label !== 'normal') this.ws.recordings.setAddedToTraining(recordingId, false);
        this.ws.audit.write({
          actor,
          action: 'label',
          entity: 'recording',
          entityId: recordingId,
          details: { from: rec.label, to: label, addToTraining },
        });
      });
      return this.ws.recordings.get(recordingId)!;
    },
    'recordings/import': (args, actor) => {
      this.project(args.projectId);
      const job = this.jobs.enqueue('import', { ...args, source: 'import' }, args.projectId);
      this.ws.audit.write({
        actor,
        action: 'import',
        entity: 'project',
        entityId: args.projectId,
        details: { jobId: job.id, sources: args.sources.length },
      });
      return job;
    },
    'recordings/importPreview': (args) => {
      this.project(args.projectId);
      return previewImport(this.ws, args);
    },
    'files/listFolder': ({ path: dir }) => listFolder(dir, this.opts.importRoots ?? null),
    'recordings/importErrors': ({ projectId, jobId, limit }) =>
      this.ws.recordings.importErrors({ projectId, jobId, limit }),

    'jobs/list': (q) => this.ws.jobs.list(q),
    'jobs/get': ({ jobId }) => this.ws.jobs.get(jobId) ?? notFound('job', jobId),
    'jobs/cancel': ({ jobId }, actor) => {
      const job = this.ws.jobs.get(jobId) ?? notFound('job', jobId);
      this.ws.audit.write({ actor, action: 'cancel', entity: 'job', entityId: job.id });
      return this.jobs.cancel(jobId);
    },

    'jobs/retry': async ({ jobId }, actor) => {
      const job = this.ws.jobs.get(jobId) ?? notFound('job', jobId);
      if (!['failed', 'cancelled', 'interrupted'].includes(job.status))
        throw new ApiError(
          'conflict',
          `job ${jobId} is ${job.status}: only failed, cancelled or interrupted jobs can be retried`,
        );
      if (job.projectId !== null && !this.ws.projects.get(job.projectId))
        throw new ApiError('conflict', `job ${jobId}'s line was deleted`);
      // A training continues from its checkpoint; imports and scoring run again (done files are duplicates then).
      const retried =
        job.kind === 'train'
          ? (await this.handlers['models/resume']({ modelId: Number(job.params.modelId) }, actor)).job
          : this.jobs.enqueue(job.kind, job.params, job.projectId);
      this.ws.audit.write({
        actor,
        action: 'retry',
        entity: 'job',
        entityId: jobId,
        details: { newJobId: retried.id },
      });
      return retried;
    },

    'models/list': ({ projectId }) => {
      this.project(projectId);
      return this.ws.models.list(projectId);
    },
    'models/train': (args, actor) => {
      this.project(args.projectId);
      const running = this.ws.jobs
        .list({ projectId: args.projectId, status: ['queued', 'running'] })
        .find((j) => j.kind === 'train');
      if (running)
        throw new ApiError(
          'conflict',
          `project ${args.projectId} is already training (job ${running.id}): one training at a time per project`,
        );
      if (this.ws.machines.list(args.projectId).length < 2) {
        throw new ApiError(
          'conflict',
          'training needs at least two machines in the project: they are the classes the network learns to tell apart',
        );
      }
      const model = this.ws.models.create({
        projectId: args.projectId,
        name: args.name || `S=${args.subclusters} ${args.preset}`,
        kind: 'sc-adacos',
        subclusters: args.subclusters,
        preset: args.preset,
        config: { epochs: args.epochs ?? null, seed: args.seed },
        status: 'queued',
      });
      const dir = this.ws.modelDir(model.id);
      const job = this.jobs.enqueue('train', { modelId: model.id }, args.projectId);
      const updated = this.ws.models.update(model.id, { dir, jobId: job.id });
      this.ws.audit.write({
        actor,
        action: 'train',
        entity: 'model',
        entityId: model.id,
        details: { ...args, jobId: job.id },
      });
      return { model: updated, job };
    },
    'models/resume': ({ modelId }, actor) => {
      const model = this.model(modelId);
      if (model.kind !== 'sc-adacos' || (model.status !== 'interrupted' && model.status !== 'failed')) {
        throw new ApiError(
          'conflict',
          `model ${modelId} is ${model.status}: only interrupted or failed trainings can resume`,
        );
      }
      const busy = this.ws.jobs
        .list({ projectId: model.projectId, status: ['queued', 'running'] })
        .find((j) => j.kind === 'train');
      if (busy)
        throw new ApiError('conflict', `project ${model.projectId} is already training (job ${busy.id})`);
      const job = this.jobs.enqueue('train', { modelId, resume: true }, model.projectId);
      const updated = this.ws.models.update(modelId, { status: 'queued', jobId: job.id });
      this.ws.audit.write({
        actor,
        action: 'resume',
        entity: 'model',
        entityId: modelId,
        details: { jobId: job.id },
      });
      return { model: updated, job };
    },
    'models/activate': ({ projectId, modelId }, actor) => {
      const model = this.model(modelId);
      if (model.projectId !== projectId)
        throw new ApiError('bad_request', `model ${modelId} belongs to another project`);
      if (model.status !== 'trained')
        throw new ApiError('conflict', `model ${modelId} is ${model.status}, not trained`);
      this.ws.projects.setActiveModel(projectId, modelId);
      this.ws.audit.write({
        actor,
        action: 'activate-model',
        entity: 'project',
        entityId: projectId,
        details: { modelId },
      });
      this.enqueueScoring(projectId, { modelId });
      return this.project(projectId);
    },
    'models/trainingPlan': ({ projectId }) => {
      this.project(projectId);
      return trainingPlan(this.ws, projectId);
    },
    'models/compare': ({ projectId, modelA, modelB }) => this.compareModels(projectId, modelA, modelB),

    'scores/run': ({ projectId, modelId, recordingIds }, actor) => {
      this.project(projectId);
      if (modelId !== undefined && this.model(modelId).projectId !== projectId)
        throw new ApiError('bad_request', `model ${modelId} belongs to another project`);
      if (projectId && !modelId && !this.ws.projects.get(projectId)!.activeModelId)
        ensureBaselineModel(this.ws, projectId);
      const job = this.jobs.enqueue(
        'score',
        { projectId, ...(modelId ? { modelId } : {}), ...(recordingIds ? { recordingIds } : {}) },
        projectId,
      );
      this.ws.audit.write({
        actor,
        action: 'score',
        entity: 'project',
        entityId: projectId,
        details: { jobId: job.id, modelId },
      });
      return job;
    },

    'thresholds/get': ({ machineId, modelId }) =>
      thresholdView(this.ws, machineId, this.modelFor(this.machine(machineId), modelId)),
    'thresholds/set': (args, actor) => {
      const machine = this.machine(args.machineId);
      const modelId = this.modelFor(machine, args.modelId);
      if ('value' in args) {
        this.ws.thresholds.set({
          machineId: machine.id,
          modelId,
          value: args.value,
          method: 'manual',
          setBy: actor,
        });
      } else if ('targetFalseAlarmRate' in args) {
        const { normal } = labelledScores(this.ws, machine.id, modelId);
        if (normal.length === 0)
          throw new ApiError(
            'conflict',
            `machine ${machine.id} has no normal clip scores to set a false-alarm rate against`,
          );
        const value = thresholdForFalseAlarmRate(normal, args.targetFalseAlarmRate);
        this.ws.thresholds.set({
          machineId: machine.id,
          modelId,
          value,
          method: 'target-far',
          targetFalseAlarmRate: args.targetFalseAlarmRate,
          setBy: actor,
        });
      } else {
        try {
          setDefaultThreshold(this.ws, machine.id, modelId, actor, args.quantile);
        } catch (err) {
          throw new ApiError('conflict', (err as Error).message);
        }
      }
      this.ws.audit.write({
        actor,
        action: 'set-threshold',
        entity: 'machine',
        entityId: machine.id,
        details: { ...args, modelId },
      });
      return thresholdView(this.ws, machine.id, modelId);
    },

    'alarms/list': (q) => {
      this.project(q.projectId);
      return this.ws.alarms.list(q);
    },
    'alarms/update': ({ alarmId, status, note, addToTraining }, actor) => {
      const alarm = this.ws.alarms.get(alarmId) ?? notFound('alarm', alarmId);
      if (addToTraining && status !== 'false_alarm' && alarm.status !== 'false_alarm') {
        throw new ApiError('bad_request', 'only a false alarm can be added to the training set');
      }
      return this.ws.transaction(() => {
        const updated = this.ws.alarms.update(alarmId, { status, note }, actor);
        // The label follows the engineer's verdict: a false alarm is a normal clip, a confirmed one an anomaly.
        if (status === 'false_alarm') this.ws.recordings.setLabel(alarm.recordingId, 'normal');
        if (status === 'confirmed_anomaly') {
          this.ws.recordings.setLabel(alarm.recordingId, 'anomaly');
          this.ws.recordings.setAddedToTraining(alarm.recordingId, false);
        }
        if (addToTraining !== undefined && updated.status === 'false_alarm')
          this.ws.recordings.setAddedToTraining(alarm.recordingId, addToTraining);
        this.ws.audit.write({
          actor,
          action: 'triage',
          entity: 'alarm',
          entityId: alarmId,
          details: { from: alarm.status, to: updated.status, note, addToTraining },
        });
        return updated;
      });
    },

    'dashboard/summary': ({ projectId }) => {
      const project = this.project(projectId);
      const modelId = this.effectiveModelId(projectId);
      const counts = this.ws.dashboard.machineCounts(projectId, modelId);
      const machines = counts.map((c) => ({
        machine: this.ws.machines.get(c.machineId)!,
        trainCount: c.trainCount,
        recordingCount: c.recordingCount,
        scoredCount: c.scoredCount,
        openAlarms: c.openAlarms,
        threshold: modelId === null ? null : (this.ws.thresholds.active(c.machineId, modelId)?.value ?? null),
        backend: c.backend,
        lastScore:
          c.lastRecordingId === null
            ? null
            : { recordingId: c.lastRecordingId, clipScore: c.lastScore!, at: c.lastScoredAt! },
      }));
      return {
        project,
        activeModel: modelId === null ? null : this.ws.models.get(modelId)!,
        machines,
        openAlarms: machines.reduce((n, m) => n + m.openAlarms, 0),
        runningJobs: this.ws.jobs.list({ projectId, status: ['queued', 'running'] }),
      };
    },
    'audit/list': (q) => this.ws.audit.list(q),
    'app/about': async () => {
      const doctor = await collectDoctorReport(this.ws.dir);
      const dbBytes = ['', '-wal'].reduce((n, suffix) => {
        try {
          return n + fs.statSync(this.ws.dbFile + suffix).size;
        } catch {
          return n;
        }
      }, 0);
      return {
        version: this.version,
        node: process.version,
        workspace: this.ws.dir,
        databaseBytes: dbBytes,
        schemaVersion: SCHEMA_VERSION,
        tfBackend: doctor.tfBackend,
        tfBackendDetail: doctor.tfBackendDetail,
        tfjs: doctor.tfjs,
        doctor: formatDoctorReport(doctor),
      };
    },
  };

  /** AUC/pAUC per machine of two models on the labelled test/monitor clips both have scored. */
  private compareModels(projectId: number, a: number, b: number): ModelComparison {
    const ma = this.model(a);
    const mb = this.model(b);
    if (ma.projectId !== projectId || mb.projectId !== projectId)
      throw new ApiError('bad_request', 'both models must belong to the project');
    const machines = this.ws.machines.list(projectId).map((machine) => {
      const rows = this.ws.db
        .prepare(
          `SELECT r.label AS label, sa.clip_score AS a, sb.clip_score AS b FROM recording r
             JOIN score sa ON sa.recording_id = r.id AND sa.model_id = ?
             JOIN score sb ON sb.recording_id = r.id AND sb.model_id = ?
            WHERE r.machine_id = ? AND r.role != 'train' AND r.label IN ('normal', 'anomaly') ORDER BY r.id`,
        )
        .all(a, b, machine.id) as { label: string; a: number; b: number }[];
      const labels = rows.map((r) => (r.label === 'anomaly' ? 1 : 0));
      const anomalies = labels.filter((l) => l === 1).length;
      const both = anomalies > 0 && anomalies < rows.length;
      return {
        machine,
        clips: rows.length,
        anomalies,
        auc: both
          ? ([
              auc(
                labels,
                rows.map((r) => r.a),
              ),
              auc(
                labels,
                rows.map((r) => r.b),
              ),
            ] as [number, number])
          : null,
        pauc: both
          ? ([
              partialAuc(
                labels,
                rows.map((r) => r.a),
              ),
              partialAuc(
                labels,
                rows.map((r) => r.b),
              ),
            ] as [number, number])
          : null,
      };
    });
    return { models: [ma, mb], machines };
  }
}
