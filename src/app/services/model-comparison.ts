import { auc, partialAuc } from '../../engine/metrics/index.ts';
import type { ModelComparison } from '../../shared/api.ts';
import type { AppContext } from '../app-context.ts';
import { InvalidRequestError } from '../errors.ts';

/**
 * AUC and pAUC (FPR ≤ 0.1) per machine of two models on the labelled evaluation clips both have
 * scored. Evaluation clips are role test/monitor: a clip in the training set (including one added
 * from a false alarm) is never evaluated, since the back-end was fitted on it.
 */
export function compareModels(app: AppContext, projectId: number, a: number, b: number): ModelComparison {
  const ma = app.model(a);
  const mb = app.model(b);
  if (ma.projectId !== projectId || mb.projectId !== projectId)
    throw new InvalidRequestError('both models must belong to the project');
  const machines = app.ws.machines.list(projectId).map((machine) => {
    const rows = app.ws.scores.pairedEvaluationScores(a, b, machine.id);
    const labels = rows.map((r) => (r.label === 'anomaly' ? 1 : 0));
    const anomalies = labels.filter((l) => l === 1).length;
    const both = anomalies > 0 && anomalies < rows.length;
    const pair = (metric: (labels: number[], scores: number[]) => number): [number, number] => [
      metric(
        labels,
        rows.map((r) => r.a),
      ),
      metric(
        labels,
        rows.map((r) => r.b),
      ),
    ];
    return {
      machine,
      clips: rows.length,
      anomalies,
      auc: both ? pair(auc) : null,
      pauc: both ? pair((l, s) => partialAuc(l, s)) : null,
    };
  });
  return { models: [ma, mb], machines };
}
