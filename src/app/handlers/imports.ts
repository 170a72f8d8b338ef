import { ApiError } from '../../shared/api.ts';
import type { AppContext, AppServiceOptions, Handlers } from '../app-context.ts';
import { assertInsideRoots } from '../services/file-safety.ts';

type ImportHandlers = Pick<Handlers, 'recordings/import' | 'recordings/importErrors'>;

/** Imports run as jobs; their per-file errors are kept and listed. */
export function importHandlers(app: AppContext): ImportHandlers {
  return {
    'recordings/import': (args, actor) => {
      app.project(args.projectId);
      try {
        for (const src of args.sources) assertInsideRoots(src, app.opts.importRoots);
      } catch (err) {
        throw new ApiError('forbidden', (err as Error).message);
      }
      const job = app.jobs.enqueue(
        'import',
        { ...args, source: 'import', ...importRules(app.opts) },
        args.projectId,
      );
      app.audit(actor, 'import', 'project', args.projectId, { jobId: job.id, sources: args.sources.length });
      return job;
    },
    'recordings/importErrors': ({ projectId, jobId, limit }) => {
      app.project(projectId);
      return app.ws.recordings.importErrors({ projectId, jobId, limit });
    },
  };
}

/** What the application tells every import job about reading files (never taken from callers). */
export function importRules(opts: AppServiceOptions): { importRoots?: string[]; maxFileBytes?: number } {
  return {
    ...(opts.importRoots ? { importRoots: opts.importRoots } : {}),
    ...(opts.maxImportFileBytes ? { maxFileBytes: opts.maxImportFileBytes } : {}),
  };
}
