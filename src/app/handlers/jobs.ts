import type { AppContext } from '../app-context.ts';
import type { DomainHandlers } from './types.ts';

/** The job queue as the contract shows it: list, one job, cancel. */
export function jobHandlers(app: AppContext): DomainHandlers<'jobs'> {
  return {
    'jobs/list': (q) => app.ws.jobs.list(q),
    'jobs/get': ({ jobId }) => app.job(jobId),
    'jobs/cancel': ({ jobId }, actor) => {
      app.job(jobId);
      app.audit(actor, 'cancel', 'job', jobId);
      return app.jobs.cancel(jobId);
    },
  };
}
