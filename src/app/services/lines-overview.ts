import type { LineSummary, MachineState } from '../../shared/api.ts';
import type { Project } from '../../shared/domain.ts';
import type { AppContext } from '../app-context.ts';
import { LineAdminQueries } from '../db/repos/line-admin.ts';
import { lineOverview } from './monitoring.ts';

/**
 * One line's summary for the Lines screen: its machines counted by the state the line overview
 * shows them in (one state rule: `lineOverview`), open alarms, active model, last activity.
 */
export function lineSummary(app: AppContext, project: Project, modelId: number | null): LineSummary {
  const { ws } = app;
  const overview = lineOverview(app, project.id, modelId);
  const states: Record<MachineState, number> = { alarm: 0, watch: 0, ok: 0, 'no model': 0 };
  for (const card of overview.machines) states[card.status.state]++;
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
