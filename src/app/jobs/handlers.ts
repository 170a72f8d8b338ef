import type { JobKind } from '../../shared/domain.ts';
import type { JobHandler } from './context.ts';
import { runImport } from '../services/import-run.ts';

/** What each job kind runs inside the job process. */
export const JOB_HANDLERS: Partial<Record<JobKind, JobHandler>> = {
  import: runImport,
};
