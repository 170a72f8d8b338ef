import type { JobKind } from '../../shared/domain.ts';
import type { JobHandler } from './context.ts';
import { runImport } from '../services/import-run.ts';
import { runScoring } from '../services/scoring.ts';
import { runTraining } from '../services/training.ts';

/** What each job kind runs inside the job process. */
export const JOB_HANDLERS: { [K in JobKind]: JobHandler<K> } = {
  import: runImport,
  score: runScoring,
  train: runTraining,
};
