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
const alarmStatus = z.enum(['new', 'acknowledged', 'confirmed_anomaly', 'false_alarm', 'cleared']);
const triageStatus = z.enum(['new', 'acknowledged', 'confirmed_anomaly', 'false_alarm']);
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

/**
 * A machine's state on the dashboard (rules in README "Health index and machine states"):
 * "no model" — nothing scores it yet (no fitted back-end or no threshold under the effective model);
 * "alarm" — it has open alarms (new or acknowledged);
 * "watch" — no open alarm, but its latest clip has a health index ≥ 0.7 or a level finding;
 * "ok" — otherwise.
 */
export type MachineState = 'ok' | 'watch' | 'alarm' | 'no model';
export const MACHINE_STATES: readonly MachineState[] = ['ok', 'watch', 'alarm', 'no model'];

export interface MachineStatus {
  state: MachineState;
  /** Why, in a sentence a person reads ("2 open alarms", "latest clip at 0.85 of the threshold"). */
  reason: string;
}

/** A machine as listed, with its state. */
export interface MachineListItem extends Machine {
  status: MachineStatus;
}

/**
 * A clip's score as a person reads it: the health index is 0 at the median held-out normal score
 * of its machine's back-end and 1 at the machine's threshold (≥ 1 alarms), linear in the score;
 * null when the threshold is not above that median. The raw score stays available.
 */
export interface ClipHealth {
  modelId: number;
  clipScore: number;
  healthIndex: number | null;
  threshold: number | null;
  heldoutMedian: number | null;
  /** The alarm rule's verdict for this clip (evaluation clip, score ≥ threshold). */
  alarming: boolean;
}

/** A clip's level against its machine's training level; a shift beyond the margin is its own finding. */
export interface ClipLevel {
  levelDbfs: number | null;
  /** Median level of the machine's training clips. */
  trainingLevelDbfs: number | null;
  /** levelDbfs − trainingLevelDbfs. */
  differenceDb: number | null;
  /** e.g. "recorded 12.0 dB quieter than training"; null within the margin or without levels. */
  finding: string | null;
}

/** What a threshold change does (or, for a preview, would do) to a machine's alarms. */
export interface ThresholdChange {
  machineId: number;
  modelId: number;
  from: number | null;
  to: number;
  /** Alarms raised: evaluation clips now at or above the threshold without an open alarm. */
  raised: number;
  /** Untriaged alarms (status new) now below the threshold, cleared. Triaged alarms are never touched. */
  cleared: number;
  /** Alarms follow the project's effective model only: false when this model is not it (nothing raised or cleared). */
  alarmsFollowModel: boolean;
  /** At the new value, on held-out normal and labelled clips (as in ThresholdView). */
  falseAlarmRate: number | null;
  detectionRate: number | null;
}

/** What an import did. The counts add up: found = imported + duplicates + failed. */
/** The result of an import job (`Job.result` of kind "import"). */
export interface ImportResult extends Record<string, unknown> {
  /** Audio files found in the sources (or listed explicitly). */
  found: number;
  imported: number;
  /** Files whose content the project already has. */
  duplicates: number;
  /** Files that could not be imported: each has an import error naming the file and the problem. */
  failed: number;
  /** Sources (folders or files given) that could not be read at all; each has an import error too. */
  unreadableSources: number;
  /** Imported files the decoder warned about (e.g. truncated data): the warnings are stored per recording. */
  withWarnings: { path: string; warnings: string[] }[];
  /** Roles of the newly imported recordings: decides which follow-up (scoring) runs. */
  importedRoles: Record<string, number>;
}

/** Per-machine threshold view: the active threshold, its history and how it performs. */
export interface ThresholdView {
  machine: Machine;
  modelId: number;
  threshold: Threshold | null;
  history: Threshold[];
  /** Held-out normal training scores (k-fold) the default threshold comes from. */
  heldoutNormalScores: number[];
  /** Their median: health index 0. */
  heldoutMedian: number | null;
  /** AUC and pAUC (FPR ≤ 0.1) of this machine under the model on labelled evaluation clips; null without both labels. */
  auc: number | null;
  pauc: number | null;
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
  /** Latest scored evaluation clip: raw score, health index, the alarm rule's verdict, level finding. */
  lastScore: {
    recordingId: number;
    clipScore: number;
    at: string;
    healthIndex: number | null;
    alarming: boolean;
    levelFinding: string | null;
  } | null;
  status: MachineStatus;
}

export interface DashboardSummary {
  project: Project;
  activeModel: Model | null;
  machines: MachineSummary[];
  openAlarms: number;
  runningJobs: Job[];
}

export interface RecordingRow extends Recording {
  /** Score under the active model (or the baseline before any model is trained), with its health index. */
  score: (Pick<Score, 'clipScore' | 'backend' | 'modelId'> & { healthIndex: number | null; alarming: boolean }) | null;
  alarmStatus: Alarm['status'] | null;
  level: ClipLevel;
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

  /** The project's machines, each with its state (ok / watch / alarm / no model). */
  'machines/list': returns<MachineListItem[]>()(z.object({ projectId: id }).strict()),
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
  /** One clip: every score, its alarms, its health under the effective model and its level against training. */
  'recordings/get': returns<{
    recording: Recording;
    machine: Machine;
    scores: Score[];
    alarms: Alarm[];
    health: ClipHealth | null;
    level: ClipLevel;
  }>()(z.object({ recordingId: id }).strict()),
  /** Moves a recording to another machine (of the same project), role or label; audit-logged. */
  'recordings/update': returns<Recording>()(
    z
      .object({ recordingId: id, machineId: id.optional(), role: role.optional(), label: label.optional() })
      .strict(),
  ),
  /**
   * Labels a clip; `addToTraining: true` moves a normal clip (e.g. a false alarm) into the training
   * set (role train; its back-end is refitted and the machine rescored), `false` moves it back.
   */
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
  /**
   * Sets a threshold by value, by target false-alarm rate, or back to the default quantile of
   * held-out normal scores, and applies the alarm rule to the machine's stored scores in the same
   * transaction (raise / clear untriaged); `change` says what it did.
   */
  'thresholds/set': returns<ThresholdView & { change: ThresholdChange }>()(thresholdTarget),
  /** The same as thresholds/set without writing anything: the numbers a set would give. */
  'thresholds/preview': returns<ThresholdChange>()(thresholdTarget),
  /** Restores the threshold the active one replaced (repeat to go further back), re-evaluating alarms. */
  'thresholds/undo': returns<ThresholdView & { change: ThresholdChange }>()(
    z.object({ machineId: id, modelId: id.optional() }).strict(),
  ),

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
        status: triageStatus.optional(),
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
