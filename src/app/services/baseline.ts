import type { Model } from '../../shared/domain.ts';
import type { Workspace } from '../workspace.ts';

/**
 * The project's mean-log-Mel model: no training, back-ends fitted per machine in seconds, so a
 * new line has scores within minutes of its first import. Created on first use.
 */
export function ensureBaselineModel(ws: Workspace, projectId: number): Model {
  // IMMEDIATE: two processes (application, job) must not both create one.
  return ws.db
    .transaction(
      () =>
        ws.models.baseline(projectId) ??
        ws.models.create({
          projectId,
          name: 'mean log-Mel baseline',
          kind: 'mean-logmel',
          preset: 'none',
          config: {
            representation: 'temporal mean of normalised log-Mel',
            backend: 'full-covariance Gaussian',
          },
          status: 'trained',
        }),
    )
    .immediate();
}
