/**
 * The single typed contract of Auscult: every method (arguments validated by zod at each
 * adapter's boundary, result type), every event, and the error shape. Electron IPC, the HTTP web
 * mode and the CLI are thin adapters over the same services; the renderer's client is typed by
 * this file alone. Browser-safe: no Node imports.
 */
import { z } from 'zod';
import { trainingConfigSchema } from './training-config.ts';
import type {
  Alarm,
  AuditEntry,
  ImportError,
  Job,
  Machine,
  Model,
  Project,
  Recording,
  Score,
  Threshold,
} from './domain.ts';

const id = z.number().int().positive();
const role = z.enum(['train', 'test', 'monitor']);
const label = z.enum(['normal', 'anomaly', 'unknown']);
const alarmStatus = z.enum(['new', 'acknowledged', 'confirmed_anomaly', 'false_alarm']);
const jobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
const text = (max: number) => z.string().trim().max(max);
const name = z.string().trim().min(1, 'must not be empty').max(200);
const limit = z.number().int().min(1).max(10_000).default(100);
const offset = z.number().int().min(0).default(0);

/** How an import maps files to machines. */
export const IMPORT_MAPPINGS = ['auto', 'dcase', 'folder-per-machine', 'single-machine'] as const;

/** The import arguments' fields (the job's parameters extend them); `importArgs` validates a request. */
export const importArgsShape = z.object({
    projectId: id,
    /** Folders (searched recursively) and/or files. */
    sources: z.array(z.string().min(1)).min(1).max(100_000),
    /** auto: DCASE layout when recognised, else one folder per machine (or `machine` if given). */
    mapping: z.enum(IMPORT_MAPPINGS).default('auto'),
    machine: z.object({ type: name, name }).optional(),
    /** Default: from the DCASE layout, else "train". */
    role: role.optional(),
    /** Default: from the file name (normal_/anomaly_ prefix), else normal for train, unknown otherwise. */
    label: label.optional(),
    /** Copy files into the workspace (true) or reference them where they are (false). */
    copy: z.boolean().default(false),
});

/** "single-machine" mapping needs the machine to put every file on. */
export const importMachineGiven = [
  (a: { mapping: string; machine?: unknown }) => a.mapping !== 'single-machine' || !!a.machine,
  { message: 'mapping "single-machine" needs machine {type, name}' },
] as const;

export const importArgs = importArgsShape.strict().refine(...importMachineGiven);

/** Training a project model: the shared training configuration (one set of defaults) plus the project. */
export const trainArgs = trainingConfigSchema.extend({ projectId: id, name: text(200).optional() }).strict();

const thresholdTarget = z.union([
  z.object({ machineId: id, modelId: id.optional(), value: z.number().finite() }).strict(),
  z
    .object({ machineId: id, modelId: id.optional(), targetFalseAlarmRate: z.number().min(0).max(1) })
    .strict(),
  z.object({ machineId: id, modelId: id.optional(), quantile: z.number().min(0.5).max(1) }).strict(),
]);

/** Declares a method: `returns<Result>()(argsSchema)` (the result type is carried, not validated). */
function returns<R>() {
  return <A extends z.ZodType>(args: A): { args: A; result?: R } => ({ args });
}

/** Per-machine threshold view: the active threshold, its history and how it performs. */
export interface ThresholdView {
  machine: Machine;
  modelId: number;
  threshold: Threshold | null;
  history: Threshold[];
  /** Held-out normal training scores (k-fold) the default threshold comes from. */
  heldoutNormalScores: number[];
  /** Share of normal clips (held-out training + labelled normal) above the threshold. */
  falseAlarmRate: number | null;
  /** Share of labelled anomalies above the threshold; null without labelled anomalies. */
  detectionRate: number | null;
  normalCount: number;
  anomalyCount: number;
}

export interface MachineSummary {
  machine: Machine;
  trainCount: number;
  recordingCount: number;
  scoredCount: number;
  openAlarms: number;
  threshold: number | null;
  /** Back-end that produced this machine's scores under the active model. */
  backend: string | null;
  lastScore: { recordingId: number; clipScore: number; at: string } | null;
}

export interface DashboardSummary {
  project: Project;
  activeModel: Model | null;
  machines: MachineSummary[];
  openAlarms: number;
  runningJobs: Job[];
}

export interface RecordingRow extends Recording {
  /** Score under the active model (or the baseline before any model is trained). */
  score: Pick<Score, 'clipScore' | 'backend' | 'modelId'> | null;
  alarmStatus: Alarm['status'] | null;
}

export interface ModelComparison {
  models: [Model, Model];
  /** Per machine: AUC and pAUC (FPR ≤ 0.1, McClish) of each model on clips both scored. */
  machines: {
    machine: Machine;
    clips: number;
    anomalies: number;
    auc: [number, number] | null;
    pauc: [number, number] | null;
  }[];
}

export const API_METHODS = {
  'app/info': returns<{ version: string; workspace: string; tfBackend: string; schemaVersion: number }>()(
    z.object({}).strict(),
  ),

  'projects/list': returns<Project[]>()(z.object({}).strict()),
  'projects/get': returns<Project>()(z.object({ projectId: id }).strict()),
  'projects/create': returns<Project>()(z.object({ name, description: text(2000).default('') }).strict()),
  'projects/update': returns<Project>()(
    z.object({ projectId: id, name: name.optional(), description: text(2000).optional() }).strict(),
  ),
  'projects/delete': returns<{ deleted: boolean }>()(z.object({ projectId: id }).strict()),
  /** Sets (or clears with null) the project's watched folder: new files are imported as "monitor". */
  'projects/watch': returns<Project>()(
    z.object({ projectId: id, dir: z.string().min(1).nullable(), copy: z.boolean().default(false) }).strict(),
  ),

  'machines/list': returns<Machine[]>()(z.object({ projectId: id }).strict()),
  'machines/create': returns<Machine>()(
    z
      .object({
        projectId: id,
        type: name,
        name,
        location: text(500).default(''),
        notes: text(5000).default(''),
      })
      .strict(),
  ),
  'machines/update': returns<Machine>()(
    z
      .object({
        machineId: id,
        type: name.optional(),
        name: name.optional(),
        location: text(500).optional(),
        notes: text(5000).optional(),
      })
      .strict(),
  ),
  'machines/delete': returns<{ deleted: boolean }>()(z.object({ machineId: id }).strict()),

  'recordings/list': returns<{ total: number; items: RecordingRow[] }>()(
    z
      .object({
        projectId: id,
        machineId: id.optional(),
        role: role.optional(),
        label: label.optional(),
        limit,
        offset,
      })
      .strict(),
  ),
  'recordings/get': returns<{ recording: Recording; machine: Machine; scores: Score[]; alarms: Alarm[] }>()(
    z.object({ recordingId: id }).strict(),
  ),
  /** Labels a clip; `addToTraining` puts a normal clip (e.g. a false alarm) into the next model's training set. */
  'recordings/label': returns<Recording>()(
    z.object({ recordingId: id, label, addToTraining: z.boolean().optional() }).strict(),
  ),
  'recordings/import': returns<Job>()(importArgs),
  'recordings/importErrors': returns<ImportError[]>()(
    z.object({ projectId: id, jobId: id.optional(), limit: limit }).strict(),
  ),

  'jobs/list': returns<Job[]>()(
    z.object({ projectId: id.optional(), status: z.array(jobStatus).optional(), limit }).strict(),
  ),
  'jobs/get': returns<Job>()(z.object({ jobId: id }).strict()),
  'jobs/cancel': returns<Job>()(z.object({ jobId: id }).strict()),

  'models/list': returns<Model[]>()(z.object({ projectId: id }).strict()),
  'models/train': returns<{ model: Model; job: Job }>()(trainArgs),
  /** Continues an interrupted training from its last checkpoint. */
  'models/resume': returns<{ model: Model; job: Job }>()(z.object({ modelId: id }).strict()),
  'models/activate': returns<Project>()(z.object({ projectId: id, modelId: id }).strict()),
  'models/compare': returns<ModelComparison>()(z.object({ projectId: id, modelA: id, modelB: id }).strict()),

  /** Scores the project's unscored test/monitor recordings (or the given ones) with a model (default: active). */
  'scores/run': returns<Job>()(
    z
      .object({ projectId: id, modelId: id.optional(), recordingIds: z.array(id).max(100_000).optional() })
      .strict(),
  ),

  'thresholds/get': returns<ThresholdView>()(z.object({ machineId: id, modelId: id.optional() }).strict()),
  /** Sets a threshold by value, by target false-alarm rate, or back to the default quantile of held-out normal scores. */
  'thresholds/set': returns<ThresholdView>()(thresholdTarget),

  'alarms/list': returns<Alarm[]>()(
    z
      .object({
        projectId: id,
        status: z.array(alarmStatus).optional(),
        machineId: id.optional(),
        limit,
        offset,
      })
      .strict(),
  ),
  /** Triage: acknowledge, confirm as anomaly, or mark a false alarm (optionally adding the clip to the training set). */
  'alarms/update': returns<Alarm>()(
    z
      .object({
        alarmId: id,
        status: alarmStatus.optional(),
        note: text(5000).optional(),
        addToTraining: z.boolean().optional(),
      })
      .strict(),
  ),

  'dashboard/summary': returns<DashboardSummary>()(z.object({ projectId: id }).strict()),
  'audit/list': returns<AuditEntry[]>()(
    z.object({ entity: z.string().max(50).optional(), entityId: id.optional(), limit }).strict(),
  ),
} as const;

export type ApiMethod = keyof typeof API_METHODS;
/** Arguments as a caller writes them (defaults may be omitted). */
export type ApiArgs<M extends ApiMethod> = z.input<(typeof API_METHODS)[M]['args']>;
/** Arguments after validation (defaults filled in): what services receive. */
export type ApiParsedArgs<M extends ApiMethod> = z.output<(typeof API_METHODS)[M]['args']>;
export type ApiResult<M extends ApiMethod> = NonNullable<(typeof API_METHODS)[M]['result']>;

/** Events pushed to clients (SSE in web mode, IPC in the desktop app). */
export interface ApiEvents {
  /** A job was queued, progressed or finished. */
  job: Job;
  /** A score crossed its machine's threshold. */
  alarm: Alarm;
}
export type ApiEventName = keyof ApiEvents;
export const API_EVENTS: readonly ApiEventName[] = ['job', 'alarm'];

export type ApiErrorCode =
  'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'payload_too_large' | 'internal';

/** Error every adapter returns in the same shape: `{ error: { code, message, issues? } }`. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toJSON(): { code: ApiErrorCode; message: string; issues?: { path: string; message: string }[] } {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}

export const HTTP_STATUS: Record<ApiErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  internal: 500,
};

export function isApiMethod(name: string): name is ApiMethod {
  return Object.prototype.hasOwnProperty.call(API_METHODS, name);
}

/** Validates `raw` arguments of `method`, throwing a bad_request ApiError that lists every problem. */
export function parseApiArgs<M extends ApiMethod>(method: M, raw: unknown): ApiParsedArgs<M> {
  const r = API_METHODS[method].args.safeParse(raw ?? {});
  if (r.success) return r.data as ApiParsedArgs<M>;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.') || '(arguments)', message: i.message }));
  throw new ApiError(
    'bad_request',
    `invalid arguments for ${method}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  );
}

/** What every client of the contract offers (the preload's window.auscult, the HTTP client). */
export interface AuscultApi {
  call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResult<M>>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}
