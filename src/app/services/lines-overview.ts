import type { LineSummary } from '../../shared/api.ts';
import type { MachineState } from '../../shared/screens-api.ts';
import type { Project } from '../../shared/domain.ts';
import { LineAdminQueries } from '../db/repos/line-admin.ts';
import type { Workspace } from '../workspace.ts';
import { lineOverview } from './monitoring.ts';

/**
 * One line's summary for the Lines screen: its machines counted by the state the line overview
 * shows them in (one state rule: `lineOverview`), open alarms, active model, last activity.
 */
export function lineSummary(ws: Workspace, project: Project, modelId: number | null): LineSummary {
  const overview = lineOverview(ws, project.id, modelId);
  const states: Record<MachineState, number> = {
    alarm: 0,
    'check-recording': 0,
    watch: 0,
    ok: 0,
    'no-model': 0,
  };
  for (const card of overview.machines) states[card.state]++;
  const model = overview.model;
  return {
    project,
    machines: overview.machines.length,
    states,
    openAlarms: overview.openAlarms,
    recordings: overview.machines.reduce((n, c) => n + c.monitoredCount + c.trainCount, 0),
    activeModel: model ? { id: model.id, name: model.name, kind: model.kind } : null,
    lastActivityAt: new LineAdminQueries(ws.db).lastActivity(project.id),
    activeJobs: ws.jobs.list({ projectId: project.id, status: ['queued', 'running'] }).length,
  };
}
