import { ApiError } from '../../shared/api.ts';
import type { AppContext, AppServiceOptions, Handlers } from '../app-context.ts';
import { assertInsideRoots } from '../services/file-safety.ts';
import { listFolder } from '../services/folders.ts';
import { previewImport } from '../services/import-preview.ts';

type ImportHandlers = Pick<
  Handlers,
  'recordings/import' | 'recordings/importErrors' | 'recordings/importPreview' | 'files/listFolder'
>;

/** Imports run as jobs; their per-file errors are kept and listed; a dry run previews them. */
export function importHandlers(app: AppContext): ImportHandlers {
  return {
    'recordings/import': (args, actor) => {
      app.project(args.projectId);
      assertSourcesInsideRoots(app, args.sources);
      const job = app.jobs.enqueue(
        'import',
        { ...args, source: 'import', ...importRules(app.opts) },
        args.projectId,
      );
      app.audit(actor, 'import', 'project', args.projectId, { jobId: job.id, sources: args.sources.length });
      return job;
    },
    'recordings/importPreview': (args) => {
      app.project(args.projectId);
      assertSourcesInsideRoots(app, args.sources);
      return previewImport(app.ws, args);
    },
    // Path completion of the import and watched-folder fields (web mode: inside the import roots).
    'files/listFolder': ({ path }) => listFolder(path, app.opts.importRoots ?? null),
    'recordings/importErrors': ({ projectId, jobId, limit }) => {
      app.project(projectId);
      return app.ws.recordings.importErrors({ projectId, jobId, limit });
    },
  };
}

/** Imports and their dry runs read only inside the import roots (web mode's --import-root). */
function assertSourcesInsideRoots(app: AppContext, sources: readonly string[]): void {
  try {
    for (const src of sources) assertInsideRoots(src, app.opts.importRoots);
  } catch (err) {
    throw new ApiError('forbidden', (err as Error).message);
  }
}

/** What the application tells every import job about reading files (never taken from callers). */
export function importRules(opts: AppServiceOptions): { importRoots?: string[]; maxFileBytes?: number } {
  return {
    ...(opts.importRoots ? { importRoots: opts.importRoots } : {}),
    ...(opts.maxImportFileBytes ? { maxFileBytes: opts.maxImportFileBytes } : {}),
  };
}
