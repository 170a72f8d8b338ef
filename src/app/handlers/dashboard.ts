import type { AppContext } from '../app-context.ts';
import type { DomainHandlers } from './types.ts';

/** The project dashboard: per-machine counts, thresholds, last score, running jobs. */
export function dashboardHandlers(app: AppContext): DomainHandlers<'dashboard'> {
  const { ws } = app;
  return {
    'dashboard/summary': ({ projectId }) => {
      const project = app.project(projectId);
      const modelId = app.effectiveModelId(projectId);
      const machines = ws.dashboard.machineCounts(projectId, modelId).map((c) => ({
        machine: app.machine(c.machineId),
        trainCount: c.trainCount,
        recordingCount: c.recordingCount,
        scoredCount: c.scoredCount,
        openAlarms: c.openAlarms,
        threshold: modelId === null ? null : (ws.thresholds.active(c.machineId, modelId)?.value ?? null),
        backend: c.backend,
        lastScore:
          c.lastRecordingId === null
            ? null
            : { recordingId: c.lastRecordingId, clipScore: c.lastScore!, at: c.lastScoredAt! },
      }));
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
