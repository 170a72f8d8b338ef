import type { Alarm, JobKind } from '../../shared/domain.ts';
import type { Workspace } from '../workspace.ts';
import type { JobParams } from './params.ts';
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
  /**
   * Called by handlers after each unit of work (file, recording) with the number done so far.
   * A test-only hook (see `worker.ts`): it may pause there until a test releases it, so that a
   * test reaches a kill or cancel point deterministically instead of racing a timer.
   */
  checkpoint(done: number): Promise<void>;
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCancelledError();
}

/** The job of kind K: runs in the job process with typed parameters, returns its result. */
export type JobHandler<K extends JobKind> = (
  ctx: JobContext,
  params: JobParams[K],
) => Promise<Record<string, unknown>>;
