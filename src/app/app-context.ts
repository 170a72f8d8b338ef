import { EventEmitter } from 'node:events';
import type { ApiEvents, ApiMethod, ApiParsedArgs, ApiResult, ModelComparison } from '../shared/api.ts';
import type { Alarm, Job, Machine, Model, Project, Recording } from '../shared/domain.ts';
import { ConflictError, InvalidRequestError, NotFoundError } from './errors.ts';
import { JobManager, type JobManagerOptions } from './jobs/job-manager.ts';
import type { JobParamsInput } from './jobs/params.ts';
import type { WatchedFolders } from './services/watch.ts';
import type { Workspace } from './workspace.ts';

export interface AppServiceOptions extends JobManagerOptions {
  /** TF.js backend name shown by app/info (the job processes load TF, not this one). */
  tfBackend?: string;
  /** Watch projects' folders (default true). */
  watch?: boolean;
  /** Poll watched folders instead of native events. */
  watchPolling?: boolean;
  /**
   * Folders imports and watched folders may read (web mode's --import-root); null or absent:
   * anywhere (the local user). Checked when a folder is watched and, by real path, for every file
   * in the import job.
   */
  importRoots?: string[] | null;
  /** Largest file an import reads, bytes (default 2 GiB − 1). */
  maxImportFileBytes?: number;
  /**
   * Test seam of the promotion gate: sees (and may replace) the comparison of the active model
   * (A) with a newly trained one (B) before the decision is taken.
   */
  promotionComparison?: (comparison: ModelComparison) => ModelComparison;
}

/** The handler of every contract method: validated arguments and the caller's name in, result out. */
export type Handlers = {
  [M in ApiMethod]: (args: ApiParsedArgs<M>, actor: string) => ApiResult<M> | Promise<ApiResult<M>>;
};

/**
 * What every handler module works with: the workspace, the job queue, the event bus and the
 * look-ups that turn an id into an entity or a typed NotFoundError. Private to the application
 * layer: adapters (IPC, HTTP, CLI) see only `AppService.call` and `AppService.on`.
 */
export class AppContext {
  readonly events = new EventEmitter();
  readonly jobs: JobManager;
  watched: WatchedFolders | undefined;

  constructor(
    readonly ws: Workspace,
    readonly opts: AppServiceOptions,
    /** Runs in this process after each job reached a final state (chaining: see after-job.ts). */
    afterJob: (app: AppContext, job: Job) => void,
  ) {
    this.events.setMaxListeners(0);
    this.jobs = new JobManager(ws, {
      ...opts,
      afterFinish: (job) => {
        opts.afterFinish?.(job);
        afterJob(this, job);
      },
    });
    this.jobs.on('job', (j) => this.events.emit('job', jobEvent(j)));
    this.jobs.on('alarm', (a) => this.events.emit('alarm', a));
    this.jobs.on('trainingEpoch', (e) => this.events.emit('trainingEpoch', e));
  }

  emit<E extends keyof ApiEvents>(event: E, payload: ApiEvents[E]): void {
    this.events.emit(event, payload);
  }
  emitAlarms(alarms: Alarm[]): void {
    for (const a of alarms) this.emit('alarm', a);
  }

  // Look-ups by id: the entity, or a NotFoundError naming it.
  readonly project = required<Project>('project', (id) => this.ws.projects.get(id));
  readonly machine = required<Machine>('machine', (id) => this.ws.machines.get(id));
  readonly model = required<Model>('model', (id) => this.ws.models.get(id));
  readonly recording = required<Recording>('recording', (id) => this.ws.recordings.get(id));
  readonly alarm = required<Alarm>('alarm', (id) => this.ws.alarms.get(id));
  readonly job = required<Job>('job', (id) => this.ws.jobs.get(id));

  /** The model whose scores the project shows: the active one, else the mean-log-Mel baseline. */
  effectiveModelId(projectId: number): number | null {
    return this.project(projectId).activeModelId ?? this.ws.models.baseline(projectId)?.id ?? null;
  }

  /** A model of the project (checked), or the project's effective model when none is given. */
  modelOfProject(projectId: number, modelId: number | undefined): number {
    if (modelId !== undefined) {
      if (this.model(modelId).projectId !== projectId)
        throw new InvalidRequestError(`model ${modelId} belongs to another project`);
      return modelId;
    }
    const id = this.effectiveModelId(projectId);
    if (id === null)
      throw new ConflictError(`project ${projectId} has no scores yet: import training recordings first`);
    return id;
  }

  /**
   * Queues a scoring run. One pending run without explicit recordings or model picks up
   * everything unscored of the project: a second such request reuses it instead of piling up.
   */
  enqueueScoring(projectId: number, params: Omit<JobParamsInput['score'], 'projectId'> = {}): Job {
    const plain = !params.recordingIds && !params.modelId && !params.promote;
    if (plain) {
      const pending = this.ws.jobs
        .list({ projectId, status: ['queued'] })
        .find((j) => j.kind === 'score' && !j.params.recordingIds && !j.params.modelId && !j.params.promote);
      if (pending) return pending;
    }
    return this.jobs.enqueue('score', { projectId, ...params }, projectId);
  }

  /** The project's training job that is queued or running, if any (one training per project). */
  activeTraining(projectId: number): Job | undefined {
    return this.ws.jobs.list({ projectId, status: ['queued', 'running'] }).find((j) => j.kind === 'train');
  }

  audit(
    actor: string,
    action: string,
    entity: string,
    entityId: number | null,
    details?: Record<string, unknown>,
  ): void {
    this.ws.audit.write({ actor, action, entity, entityId, details });
  }
}

/** The log tail a job event carries: `jobs/get` has the whole log. */
export const JOB_EVENT_LOG_CHARS = 4000;

/**
 * A job as an event: every progress tick of a long job is one event, and a log of thousands of
 * lines (one per failed file) in each would cost every open screen a long JSON parse per tick.
 */
export function jobEvent(job: Job): Job {
  return job.log.length <= JOB_EVENT_LOG_CHARS ? job : { ...job, log: job.log.slice(-JOB_EVENT_LOG_CHARS) };
}

function required<T>(entity: string, get: (id: number) => T | undefined): (id: number) => T {
  return (id) => {
    const found = get(id);
    if (found === undefined) throw new NotFoundError(entity, id);
    return found;
  };
}
