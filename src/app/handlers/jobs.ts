import type { AppContext } from '../app-context.ts';
import { ConflictError } from '../errors.ts';
import { modelHandlers } from './models.ts';
import type { DomainHandlers } from './types.ts';

/** The job queue as the contract shows it: list, one job, cancel, retry. */
export function jobHandlers(app: AppContext): DomainHandlers<'jobs'> {
  const resume = modelHandlers(app)['models/resume'];
  return {
    'jobs/list': (q) => app.ws.jobs.list(q),
    'jobs/get': ({ jobId }) => app.job(jobId),
    'jobs/cancel': ({ jobId }, actor) => {
      app.job(jobId);
      app.audit(actor, 'cancel', 'job', jobId);
      return app.jobs.cancel(jobId);
    },
    'jobs/retry': async ({ jobId }, actor) => {
      const job = app.job(jobId);
      if (!['failed', 'cancelled', 'interrupted'].includes(job.status))
        throw new ConflictError(
          `job ${jobId} is ${job.status}: only failed, cancelled or interrupted jobs can be retried`,
        );
      if (job.projectId !== null) app.project(job.projectId);
      // A training continues from its checkpoint (as models/resume); an import or a scoring run
      // runs again with the same parameters (files already imported are then duplicates).
      const retried =
        job.kind === 'train'
          ? (await resume({ modelId: Number(job.params.modelId) }, actor)).job
          : app.jobs.enqueue(job.kind, job.params as never, job.projectId);
      app.audit(actor, 'retry', 'job', jobId, { newJobId: retried.id });
      return retried;
    },
  };
}
