import type { AppContext, Handlers } from '../app-context.ts';
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
      const job = app.jobs.enqueue('import', { ...args, source: 'import' }, args.projectId);
      app.audit(actor, 'import', 'project', args.projectId, { jobId: job.id, sources: args.sources.length });
      return job;
    },
    'recordings/importPreview': (args) => {
      app.project(args.projectId);
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
