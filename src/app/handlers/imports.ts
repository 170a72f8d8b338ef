import type { AppContext, Handlers } from '../app-context.ts';

type ImportHandlers = Pick<Handlers, 'recordings/import' | 'recordings/importErrors'>;

/** Imports run as jobs; their per-file errors are kept and listed. */
export function importHandlers(app: AppContext): ImportHandlers {
  return {
    'recordings/import': (args, actor) => {
      app.project(args.projectId);
      const job = app.jobs.enqueue('import', { ...args, source: 'import' }, args.projectId);
      app.audit(actor, 'import', 'project', args.projectId, { jobId: job.id, sources: args.sources.length });
      return job;
    },
    'recordings/importErrors': ({ projectId, jobId, limit }) => {
      app.project(projectId);
      return app.ws.recordings.importErrors({ projectId, jobId, limit });
    },
  };
}
