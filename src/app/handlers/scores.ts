import type { AppContext } from '../app-context.ts';
import { InvalidRequestError } from '../errors.ts';
import { ensureBaselineModel } from '../services/baseline.ts';
import type { DomainHandlers } from './types.ts';

/** Scoring runs (jobs): the active model, or the mean-log-Mel baseline before any training. */
export function scoreHandlers(app: AppContext): DomainHandlers<'scores'> {
  return {
    'scores/run': ({ projectId, modelId, recordingIds }, actor) => {
      const project = app.project(projectId);
      if (modelId !== undefined && app.model(modelId).projectId !== projectId)
        throw new InvalidRequestError(`model ${modelId} belongs to another project`);
      if (modelId === undefined && !project.activeModelId) ensureBaselineModel(app.ws, projectId);
      const job = app.jobs.enqueue('score', { projectId, modelId, recordingIds }, projectId);
      app.audit(actor, 'score', 'project', projectId, { jobId: job.id, modelId });
      return job;
    },
  };
}
