import type { LineOverview, MachineStateName } from '../../shared/api.ts';
import type { Project } from '../../shared/domain.ts';
import { LineAdminQueries } from '../db/repos/line-admin.ts';
import type { Workspace } from '../workspace.ts';

/**
 * One line's summary for the Lines screen. A machine is in "alarm" with open (new or
 * acknowledged) alarms, "no-model" while the line's model has no threshold for it (not trained,
 * too few clips), else "ok".
 */
export function lineOverview(ws: Workspace, project: Project, modelId: number | null): LineOverview {
  const states: Record<MachineStateName, number> = { alarm: 0, watch: 0, ok: 0, 'no-model': 0 };
  const counts = ws.dashboard.machineCounts(project.id, modelId);
  for (const c of counts) {
    const threshold = modelId === null ? undefined : ws.thresholds.active(c.machineId, modelId);
    states[c.openAlarms > 0 ? 'alarm' : threshold ? 'ok' : 'no-model']++;
  }
  const model = modelId === null ? undefined : ws.models.get(modelId);

  return {
    project,
    machines: counts.length,
    states,
    openAlarms: counts.reduce((n, c) => n + c.openAlarms, 0),
    recordings: counts.reduce((n, c) => n + c.recordingCount, 0),
    activeModel: model ? { id: model.id, name: model.name, kind: model.kind } : null,
    lastActivityAt: new LineAdminQueries(ws.db).lastActivity(project.id),
    activeJobs: ws.jobs.list({ projectId: project.id, status: ['queued', 'running'] }).length,
  };
}
