import type { Job, Model, Project } from '../../shared/domain.ts';
import type { AppContext } from '../app-context.ts';
import { parseJobParams } from '../jobs/params.ts';
import { compareModels } from './model-comparison.ts';
import { decidePromotion, summarizeComparison, type PromotionDecision } from './promotion.ts';
import { reevaluateProject } from './alarm-rule.ts';

/**
 * Chaining after jobs, in the application process: import → scoring; training → scoring with the
 * new model → the promotion gate (`promote`) decides whether it becomes the active model.
 */
export function afterJob(app: AppContext, job: Job): void {
  if (job.projectId === null) return;
  switch (job.kind) {
    case 'import':
      if (job.status === 'succeeded' && Number(job.result?.imported ?? 0) > 0)
        app.enqueueScoring(job.projectId);
      return;
    case 'score':
      if (parseJobParams('score', job.params).promote) promote(app, job);
      return;
    case 'train': {
      const { modelId } = parseJobParams('train', job.params);
      const model = app.ws.models.get(modelId);
      if (!model) return;
      if (job.status === 'succeeded') {
        app.enqueueScoring(job.projectId, { modelId: model.id, promote: true, raiseAlarms: false });
      } else if (model.status === 'training' || model.status === 'queued') {
        // The job process could not record the outcome itself (killed, crashed, cancelled).
        app.ws.models.update(model.id, { status: job.status === 'failed' ? 'failed' : 'interrupted' });
      }
    }
  }
}

/**
 * The promotion gate, once the newly trained model has scored the project's clips: compares it
 * with the active model on the labelled test/monitor clips (see `decidePromotion`), activates it
 * or keeps the active one, and records the decision in the model's metrics (`promotion`) and
 * the audit log.
 */
function promote(app: AppContext, job: Job): PromotionDecision | undefined {
  const { ws } = app;
  const projectId = job.projectId!;
  const candidate = ws.models.get(parseJobParams('score', job.params).modelId ?? NaN);
  const project = ws.projects.get(projectId);
  if (!candidate || candidate.status !== 'trained' || !project) return undefined;
  const activeId = app.effectiveModelId(projectId);
  const active = activeId === null ? undefined : ws.models.get(activeId);
  let summary = null;
  if (active && active.id !== candidate.id && job.status === 'succeeded') {
    const comparison = compareModels(app, projectId, active.id, candidate.id);
    summary = summarizeComparison(app.opts.promotionComparison?.(comparison) ?? comparison);
  }
  const decision = decidePromotion({
    active: active ? { id: active.id, kind: active.kind } : null,
    deliberate: active ? activatedByHand(app, project, active) : false,
    candidate,
    summary,
    scoringFailed: job.status === 'succeeded' ? undefined : `was ${job.status}`,
  });
  const { raised } = ws.transaction(() => {
    if (decision.activated) ws.projects.setActiveModel(projectId, candidate.id);
    ws.models.update(candidate.id, { metrics: { ...(candidate.metrics ?? {}), promotion: decision } });
    app.audit('system', decision.activated ? 'activate-model' : 'keep-active-model', 'project', projectId, {
      modelId: decision.activated ? candidate.id : activeId,
      ...decision,
    });
    // Its scoring raised no alarms while it was a candidate: now that it is active, the alarm
    // rule is applied to its scores (raise, and clear untriaged alarms it does not confirm).
    return decision.activated ? reevaluateProject(ws, projectId, candidate.id) : { raised: [], cleared: 0 };
  });
  app.emitAlarms(raised);
  return decision;
}

/**
 * Whether the user chose the active model: the last activation recorded in the audit log was
 * not the system's. The implicit baseline (no active model set) was never chosen; a trained
 * model active without a record counts as chosen.
 */
function activatedByHand(app: AppContext, project: Project, active: Model): boolean {
  if (project.activeModelId === null) return false;
  const last = app.ws.audit.lastActivation(project.id, project.createdAt);
  if (!last || last.modelId !== active.id) return active.kind !== 'mean-logmel';
  return last.actor !== 'system';
}
