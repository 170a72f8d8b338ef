import type { Alarm, JobKind } from '../../shared/domain.ts';

/** Messages from the application process to a job process. */
export type ToWorker =
  | { type: 'run'; jobId: number; kind: JobKind; params: Record<string, unknown>; workspaceDir: string }
  | { type: 'cancel' };

/** Messages from a job process to the application process. */
export type FromWorker =
  | { type: 'progress'; progress: number; message: string }
  | { type: 'log'; line: string }
  | { type: 'alarm'; alarm: Alarm }
  | { type: 'done'; result: Record<string, unknown> }
  | { type: 'error'; message: string; cancelled: boolean; result?: Record<string, unknown> };

/** Thrown by a job that ran but did not achieve its purpose: it ends "failed" and keeps its result (counts). */
export class JobFailure extends Error {
  constructor(
    message: string,
    readonly result: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

/** Thrown inside a job when its cancel signal fires; the job ends as "cancelled", not "failed". */
export class JobCancelledError extends Error {
  constructor() {
    super('cancelled by the user');
    this.name = 'JobCancelledError';
  }
}
