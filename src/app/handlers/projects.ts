import path from 'node:path';
import { ApiError } from '../../shared/api.ts';
import type { AppContext } from '../app-context.ts';
import { assertInsideRoots } from '../services/file-safety.ts';
import { ConflictError, InvalidRequestError } from '../errors.ts';
import { deleteWithFiles, deletionImpact } from '../services/line-admin.ts';
import { lineSummary } from '../services/lines-overview.ts';
import { stopProjectJobs } from './stop-jobs.ts';
import type { DomainHandlers } from './types.ts';

/** Projects (one per factory line) and their watched folders. */
export function projectHandlers(app: AppContext): DomainHandlers<'projects'> {
  const { ws } = app;
  return {
    'projects/list': () => ws.projects.list(),
    'projects/overview': () => ws.projects.list().map((p) => lineSummary(app, p, app.effectiveModelId(p.id))),
    'projects/deletionImpact': ({ projectId }) => {
      app.project(projectId);
      return deletionImpact(ws, { projectId });
    },
    'projects/get': ({ projectId }) => app.project(projectId),
    'projects/create': ({ name, description }, actor) => {
      if (ws.projects.byName(name)) throw new ConflictError(`a project named "${name}" already exists`);
      const p = ws.projects.create({ name, description });
      app.audit(actor, 'create', 'project', p.id, { name });
      return p;
    },
    'projects/update': ({ projectId, ...patch }, actor) => {
      const before = app.project(projectId);
      if (patch.name !== undefined && patch.name !== before.name && ws.projects.byName(patch.name))
        throw new ConflictError(`a project named "${patch.name}" already exists`);
      const p = ws.projects.update(projectId, patch);
      app.audit(actor, 'update', 'project', projectId, patch);
      return p;
    },
    'projects/delete': async ({ projectId }, actor) => {
      const project = app.project(projectId);
      await app.watched?.stop(projectId);
      // No job may go on writing rows of a project that is gone: stop them first.
      await stopProjectJobs(app, projectId);
      // Rows and the workspace's own files (copied audio, model folders); never the user's files.
      const removed = deleteWithFiles(ws, { projectId });
      app.audit(actor, 'delete', 'project', projectId, { name: project.name, ...removed });
      return { deleted: true };
    },
    'projects/watch': async ({ projectId, dir, copy }, actor) => {
      app.project(projectId);
      if (dir !== null) {
        try {
          assertInsideRoots(dir, app.opts.importRoots);
        } catch (err) {
          throw new ApiError('forbidden', (err as Error).message);
        }
      }
      const p = ws.projects.update(projectId, {
        watchDir: dir === null ? null : path.resolve(dir),
        watchCopy: copy,
      });
      try {
        await app.watched?.sync(p);
      } catch (err) {
        ws.projects.update(projectId, { watchDir: null });
        throw new InvalidRequestError((err as Error).message);
      }
      app.audit(actor, 'watch', 'project', projectId, { dir, copy });
      return p;
    },
  };
}
