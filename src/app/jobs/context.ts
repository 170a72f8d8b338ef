import type { Alarm, TrainingEpoch } from '../../shared/domain.ts';
import type { Workspace } from '../workspace.ts';
import { JobCancelledError } from './protocol.ts';

/** What a job handler gets inside the job process. */
export interface JobContext {
  jobId: number;
  ws: Workspace;
  /** Fires when the user cancels; handlers check it between units of work. */
  signal: AbortSignal;
  /** Reports progress, 0…1 (throttled before it leaves the process). */
  progress(fraction: number, message?: string): void;
  log(line: string): void;
  /** Announces a newly raised alarm to the application (it becomes an API event). */
  alarm(alarm: Alarm): void;
  /** Announces a finished training epoch (it becomes the `trainingEpoch` API event). */
  trainingEpoch(epoch: TrainingEpoch): void;
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCancelledError();
}

export type JobHandler = (
  ctx: JobContext,
  params: Record<string, unknown>,
) => Promise<Record<string, unknown>>;
