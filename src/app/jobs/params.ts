/**
 * The parameters of each job kind, as one zod schema per kind: the application enqueues them typed
 * (`JobManager.enqueue<K>`), the job process re-validates what it reads back from the database
 * (`parseJobParams`) and hands the typed value to its `JobHandler<K>`.
 */
import { z } from 'zod';
import { importArgsShape, importMachineGiven } from '../../shared/api.ts';
import type { JobKind } from '../../shared/domain.ts';

const id = z.number().int().positive();

/** How recordings of an import arrived: an explicit import, the watched folder, or the demo. */
export const IMPORT_SOURCES = ['import', 'watch', 'demo'] as const;

export const JOB_PARAM_SCHEMAS = {
  import: importArgsShape
    .extend({
      source: z.enum(IMPORT_SOURCES).default('import'),
      /** Set by the application (never by callers): folders the job may read, checked per file. */
      importRoots: z.array(z.string().min(1)).optional(),
      /** Set by the application: largest file read, bytes. */
      maxFileBytes: z.number().int().positive().optional(),
    })
    .strict()
    .refine(...importMachineGiven),
  score: z
    .object({
      projectId: id,
      /** Default: the project's active model, else its mean-log-Mel baseline. */
      modelId: id.optional(),
      /** Default: every unscored test/monitor clip (plus all clips of machines whose back-end is refitted). */
      recordingIds: z.array(id).optional(),
      /** Raise alarms for clips at or above the threshold (false while the model is a candidate). */
      raiseAlarms: z.boolean().default(true),
      /** After scoring, the promotion gate decides whether this (newly trained) model becomes active. */
      promote: z.boolean().default(false),
    })
    .strict(),
  train: z.object({ modelId: id, resume: z.boolean().default(false) }).strict(),
} as const satisfies Record<JobKind, z.ZodType>;

/** Parameters of job kind K after validation (defaults filled in). */
export type JobParams = { [K in JobKind]: z.output<(typeof JOB_PARAM_SCHEMAS)[K]> };
/** Parameters of job kind K as the application writes them (defaults may be omitted). */
export type JobParamsInput = { [K in JobKind]: z.input<(typeof JOB_PARAM_SCHEMAS)[K]> };

/** Validates stored parameters of a job of `kind`, naming the job kind on failure. */
export function parseJobParams<K extends JobKind>(kind: K, raw: unknown): JobParams[K] {
  const r = JOB_PARAM_SCHEMAS[kind].safeParse(raw);
  if (!r.success)
    throw new Error(
      `invalid ${kind} job parameters: ${r.error.issues.map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`).join('; ')}`,
    );
  return r.data as JobParams[K];
}
