import type { AppContext } from '../app-context.ts';
import { machineOverviews } from '../services/machine-overview.ts';
import type { DomainHandlers } from './types.ts';

/** The project dashboard: per-machine state, counts, threshold, latest clip, running jobs. */
export function dashboardHandlers(app: AppContext): DomainHandlers<'dashboard'> {
  const { ws } = app;
  return {
    'dashboard/summary': ({ projectId }) => {
      const project = app.project(projectId);
      const modelId = app.effectiveModelId(projectId);
      const machines = machineOverviews(app, projectId, modelId).map(
        ({ counts: c, scale, lastScore, status }) => ({
          machine: app.machine(c.machineId),
          trainCount: c.trainCount,
          recordingCount: c.recordingCount,
          scoredCount: c.scoredCount,
          openAlarms: c.openAlarms,
          threshold: scale?.threshold ?? null,
          backend: c.backend,
          lastScore,
          status,
        }),
      );
      return {
        project,
        activeModel: modelId === null ? null : app.model(modelId),
        machines,
        openAlarms: machines.reduce((n, m) => n + m.openAlarms, 0),
        runningJobs: ws.jobs.list({ projectId, status: ['queued', 'running'] }),
      };
    },
  };
}
