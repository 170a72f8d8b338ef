import { EventEmitter } from 'node:events';
import type { Alarm, Job, JobKind, TrainingEpoch } from '../../shared/domain.ts';
import type { Workspace } from '../workspace.ts';
import { forkLauncher, WORKER_ENTRY, type JobProcess, type JobProcessLauncher } from './launcher.ts';
import { isSameProcess, pidInUse, processIdentity } from './process-identity.ts';
import type { FromWorker } from './protocol.ts';
import type { JobParamsInput } from './params.ts';
import { NotFoundError } from '../errors.ts';

export interface JobManagerOptions {
  launcher?: JobProcessLauncher;
  workerEntry?: string;
  /** Job processes running at once (default 2). */
  maxConcurrent?: number;
  /** Seconds a cancelled job may take to stop before it is killed (default 10). */
  cancelGraceS?: number;
  /**
   * Start queued jobs (default true). Read-only tools (`auscult status`) pass false so that they
   * never pick up, and then abandon, a job another application queued.
   */
  runJobs?: boolean;
  /** Called in this process after a job reached a final state (chaining, clean-up). */
  afterFinish?: (job: Job) => void;
}

interface JobEvents {
  job: [Job];
  alarm: [Alarm];
  trainingEpoch: [TrainingEpoch];
}

interface Running {
  job: Job;
  proc: JobProcess;
  cancelRequested: boolean;
  killTimer?: NodeJS.Timeout;
  finished: boolean;
}

/** This process's start identity, read once (it cannot change). */
const OWN_IDENTITY = processIdentity(process.pid) ?? null;

const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

/**
 * Queue of jobs stored in the workspace database, each run in its own job process. At most one
 * job of a kind runs per project at a time (so one training per project), `maxConcurrent` in all.
 * A process that dies without reporting marks its job failed with the reason; jobs left running
 * by an application that is gone are marked interrupted when the next manager opens.
 */
export class JobManager {
  private readonly emitter = new EventEmitter();
  private readonly running = new Map<number, Running>();
  private readonly launcher: JobProcessLauncher;
  private readonly workerEntry: string;
  private readonly maxConcurrent: number;
  private readonly cancelGraceMs: number;
  private closed = false;

  constructor(
    private readonly ws: Workspace,
    private readonly opts: JobManagerOptions = {},
  ) {
    this.launcher = opts.launcher ?? forkLauncher;
    this.workerEntry = opts.workerEntry ?? WORKER_ENTRY;
    this.maxConcurrent = opts.maxConcurrent ?? 2;
    this.cancelGraceMs = (opts.cancelGraceS ?? 10) * 1000;
    this.emitter.setMaxListeners(0);
    this.recoverInterrupted();
  }

  on<E extends keyof JobEvents>(event: E, listener: (...args: JobEvents[E]) => void): () => void {
    this.emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.emitter.off(event, listener as (...a: unknown[]) => void);
  }

  /**
   * Marks jobs whose owning application is gone as interrupted. Returns their ids.
   *
   * A pid stored in a job row may have been recycled. The owner counts as running only when its
   * stored start identity matches (or, for rows without one, when its pid is in use: when unsure,
   * leave the job alone). A worker is killed only when it is provably the process started for the
   * job (same pid and start time), and never by a read-only manager (`runJobs: false`, e.g.
   * `auscult status`), which leaves a still-running worker's job as it is.
   */
  recoverInterrupted(): number[] {
    const ids: number[] = [];
    const readOnly = this.opts.runJobs === false;
    for (const j of this.ws.jobs.running()) {
      if (this.running.has(j.id)) continue;
      const ownerRunning = j.ownerStart ? isSameProcess(j.ownerPid, j.ownerStart) : pidInUse(j.ownerPid);
      const workerOurs = isSameProcess(j.workerPid, j.workerStart);
      // Another application runs it (or has just claimed it and is starting its process).
      if (ownerRunning && (j.workerPid === null || workerOurs || (!j.workerStart && pidInUse(j.workerPid))))
        continue;
      if (workerOurs) {
        if (readOnly) continue;
        process.kill(j.workerPid!, 'SIGKILL');
      }
      const reason = 'interrupted: the application or its job process stopped while the job was running';
      if (this.ws.jobs.finish(j.id, 'interrupted', { error: reason })) {
        this.ws.jobs.appendLog(j.id, reason);
        ids.push(j.id);
        this.finished(j.id);
      }
    }
    return ids;
  }

  enqueue<K extends JobKind>(kind: K, params: JobParamsInput[K], projectId: number | null): Job {
    if (this.closed) throw new Error('the job manager is closed');
    const job = this.ws.jobs.create({ projectId, kind, params: params as Record<string, unknown> });
    this.emit(job);
    this.pump();
    return job;
  }

  /** Resolves with the job once it has reached a final state. */
  waitFor(jobId: number): Promise<Job> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const j = this.ws.jobs.get(jobId);
        if (!j) {
          off();
          reject(new NotFoundError('job', jobId));
          return true;
        }
        if (FINAL.has(j.status)) {
          off();
          resolve(j);
          return true;
        }
        return false;
      };
      const offEvents = this.on('job', (j) => {
        if (j.id === jobId) check();
      });
      // Another application on the same workspace may run the job: poll the database as well.
      const poll = setInterval(check, 500);
      const off = (): void => {
        offEvents();
        clearInterval(poll);
      };
      check();
    });
  }

  cancel(jobId: number): Job {
    const job = this.ws.jobs.get(jobId);
    if (!job) throw new NotFoundError('job', jobId);
    const r = this.running.get(jobId);
    if (r) {
      r.cancelRequested = true;
      r.proc.send({ type: 'cancel' });
      r.killTimer ??= setTimeout(() => r.proc.kill('SIGKILL'), this.cancelGraceMs);
    } else if (
      job.status === 'queued' &&
      this.ws.jobs.finish(jobId, 'cancelled', { error: 'cancelled before it started' })
    ) {
      this.finished(jobId);
    }
    return this.ws.jobs.get(jobId)!;
  }

  /**
   * Cancels every queued and running job of a project and waits until each has stopped (before
   * the project, or one of its machines, is deleted under them). Jobs chained meanwhile are
   * cancelled too. Throws when a job runs in another application's process: it cannot be stopped
   * from here.
   */
  async cancelProjectJobs(projectId: number): Promise<void> {
    for (;;) {
      const active = this.ws.jobs.list({ projectId, status: ['queued', 'running'] });
      if (active.length === 0) return;
      const foreign = active.find((j) => j.status === 'running' && !this.running.has(j.id));
      if (foreign)
        throw new Error(
          `job ${foreign.id} (${foreign.kind}) of project ${projectId} runs in another Auscult process; stop it there first`,
        );
      for (const j of active) this.cancel(j.id);
      await Promise.all(active.map((j) => this.waitFor(j.id)));
    }
  }

  /** Ids of jobs running in processes this manager started. */
  runningJobIds(): number[] {
    return [...this.running.keys()];
  }

  /** Starts queued jobs while slots are free, honouring one job per (project, kind). */
  pump(): void {
    if (this.closed || this.opts.runJobs === false) return;
    for (const job of this.ws.jobs.queued()) {
      if (this.running.size >= this.maxConcurrent) return;
      const busy = [...this.running.values()].some(
        (r) => r.job.projectId === job.projectId && r.job.kind === job.kind,
      );
      if (busy || this.ws.jobs.running().some((j) => j.projectId === job.projectId && j.kind === job.kind))
        continue;
      this.start(job);
    }
  }

  private start(job: Job): void {
    // Claim atomically: another application on the same workspace may be pumping too.
    if (!this.ws.jobs.claim(job.id, process.pid)) return;
    let proc: JobProcess;
    try {
      proc = this.launcher(this.workerEntry);
    } catch (err) {
      this.ws.jobs.finish(job.id, 'failed', {
        error: `could not start a job process: ${(err as Error).message}`,
      });
      this.finished(job.id);
      return;
    }
    const r: Running = { job: this.ws.jobs.get(job.id)!, proc, cancelRequested: false, finished: false };
    this.running.set(job.id, r);
    this.ws.jobs.markRunning(job.id, proc.pid ?? null, process.pid, {
      workerStart: processIdentity(proc.pid) ?? null,
      ownerStart: OWN_IDENTITY,
    });
    this.emit(this.ws.jobs.get(job.id)!);
    proc.onMessage((m) => this.onMessage(r, m));
    proc.onExit((code, signal) => this.onExit(r, code, signal));
    proc.send({ type: 'run', jobId: job.id, kind: job.kind, params: job.params, workspaceDir: this.ws.dir });
  }

  private onMessage(r: Running, m: FromWorker): void {
    const id = r.job.id;
    switch (m.type) {
      case 'progress':
        this.ws.jobs.setProgress(id, m.progress, m.message);
        this.emit(this.ws.jobs.get(id)!);
        break;
      case 'log':
        this.ws.jobs.appendLog(id, m.line);
        break;
      case 'alarm':
        this.emitter.emit('alarm', m.alarm);
        break;
      case 'trainingEpoch':
        this.emitter.emit('trainingEpoch', m.epoch);
        break;
      case 'done':
        this.ws.jobs.finish(id, 'succeeded', { result: m.result });
        this.settle(r);
        break;
      case 'error': {
        const status = m.cancelled || r.cancelRequested ? 'cancelled' : 'failed';
        this.ws.jobs.appendLog(id, `${status}: ${m.message}`);
        this.ws.jobs.finish(id, status, { error: m.message, result: m.result ?? null });
        this.settle(r);
        break;
      }
    }
  }

  private onExit(r: Running, code: number | null, signal: string | null): void {
    const id = r.job.id;
    if (r.killTimer) clearTimeout(r.killTimer);
    this.running.delete(id);
    const job = this.ws.jobs.get(id);
    if (job && !FINAL.has(job.status)) {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const status = r.cancelRequested ? 'cancelled' : this.closed ? 'interrupted' : 'failed';
      const reason = `the job process ${how} before the job finished`;
      this.ws.jobs.appendLog(id, reason);
      this.ws.jobs.finish(id, status, { error: r.cancelRequested ? 'cancelled by the user' : reason });
    }
    this.settle(r);
    this.pump();
  }

  /**
   * Runs the after-job step once per job, in the same tick as its final status is written, so
   * whoever sees the job finished also sees the jobs it chains (import → scoring).
   */
  private settle(r: Running): void {
    if (r.finished) return;
    r.finished = true;
    this.finished(r.job.id);
  }

  private finished(id: number): void {
    const job = this.ws.jobs.get(id);
    if (!job) return; // deleted with its project: nothing to chain or report
    try {
      this.opts.afterFinish?.(job);
    } catch (err) {
      this.ws.jobs.appendLog(id, `after-job step failed: ${(err as Error).message}`);
    }
    this.emit(this.ws.jobs.get(id));
  }

  private emit(job: Job | undefined): void {
    // A job deleted with its project has nothing left to report.
    if (job) this.emitter.emit('job', job);
  }

  /** Stops starting jobs and stops running ones; they are marked interrupted (training can resume). */
  async close(): Promise<void> {
    this.closed = true;
    const exits = [...this.running.values()].map(
      (r) =>
        new Promise<void>((resolve) => {
          r.proc.onExit(() => resolve());
          r.proc.kill('SIGTERM');
          setTimeout(() => r.proc.kill('SIGKILL'), 3000).unref();
        }),
    );
    await Promise.all(exits);
  }
}
