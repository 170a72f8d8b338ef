import { trainingConfigSchema } from '../../shared/training-config.ts';
import type { AppContext } from '../app-context.ts';
import { ConflictError, InvalidRequestError } from '../errors.ts';
import { compareModels } from '../services/model-comparison.ts';
import { reevaluateProject } from '../services/alarm-rule.ts';
import type { DomainHandlers } from './types.ts';

/** Models: training (a job), resuming, activation, comparison. */
export function modelHandlers(app: AppContext): DomainHandlers<'models'> {
  const { ws } = app;
  const ensureNotTraining = (projectId: number) => {
    const running = app.activeTraining(projectId);
    if (running)
      throw new ConflictError(
        `project ${projectId} is already training (job ${running.id}): one training at a time per project`,
      );
  };
  return {
    'models/list': ({ projectId }) => {
      app.project(projectId);
      return ws.models.list(projectId);
    },
    'models/train': ({ projectId, name, ...rest }, actor) => {
      app.project(projectId);
      ensureNotTraining(projectId);
      if (ws.machines.list(projectId).length < 2)
        throw new ConflictError(
          'training needs at least two machines in the project: they are the classes the network learns to tell apart',
        );
      // The one training configuration (defaults filled in): the training job reads exactly this.
      const config = trainingConfigSchema.parse(rest);
      const model = ws.models.create({
        projectId,
        name: name || `S=${config.subclusters} ${config.preset}`,
        kind: 'sc-adacos',
        subclusters: config.subclusters,
        preset: config.preset,
        config,
        status: 'queued',
      });
      const job = app.jobs.enqueue('train', { modelId: model.id }, projectId);
      const updated = ws.models.update(model.id, { dir: ws.modelDir(model.id), jobId: job.id });
      app.audit(actor, 'train', 'model', model.id, { ...config, name: updated.name, jobId: job.id });
      return { model: updated, job };
    },
    'models/resume': ({ modelId }, actor) => {
      const model = app.model(modelId);
      if (model.kind !== 'sc-adacos' || (model.status !== 'interrupted' && model.status !== 'failed'))
        throw new ConflictError(
          `model ${modelId} is ${model.status}: only interrupted or failed trainings can resume`,
        );
      ensureNotTraining(model.projectId);
      const job = app.jobs.enqueue('train', { modelId, resume: true }, model.projectId);
      const updated = ws.models.update(modelId, { status: 'queued', jobId: job.id });
      app.audit(actor, 'resume', 'model', modelId, { jobId: job.id });
      return { model: updated, job };
    },
    'models/activate': ({ projectId, modelId }, actor) => {
      const model = app.model(modelId);
      if (model.projectId !== projectId)
        throw new InvalidRequestError(`model ${modelId} belongs to another project`);
      if (model.status !== 'trained')
        throw new ConflictError(`model ${modelId} is ${model.status}, not trained`);
      const before = app.project(projectId).activeModelId;
      // The alarm rule follows the newly active model's stored scores at once; clips it has not
      // scored yet are scored by the queued run.
      const { raised } = ws.transaction(() => {
        ws.projects.setActiveModel(projectId, modelId);
        const r = reevaluateProject(ws, projectId, modelId);
        app.audit(actor, 'activate-model', 'project', projectId, {
          modelId,
          previousModelId: before,
          raised: r.raised.length,
          cleared: r.cleared,
        });
        return r;
      });
      app.emitAlarms(raised);
      app.enqueueScoring(projectId, { modelId });
      return app.project(projectId);
    },
    'models/compare': ({ projectId, modelA, modelB }) => compareModels(app, projectId, modelA, modelB),
  };
}
