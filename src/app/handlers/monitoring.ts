import type { AppContext } from '../app-context.ts';
import type { Machine } from '../../shared/domain.ts';
import { alarmList, lineOverview, scoreDistribution, scoreSeries } from '../services/monitoring.ts';
import type { DomainHandlers } from './types.ts';

/** The model a view shows for a machine: the given one (checked), else the project's effective one (may be none). */
export function viewModel(app: AppContext, machine: Machine, modelId: number | undefined): number | null {
  return modelId === undefined ? app.effectiveModelId(machine.projectId) : app.modelOfProject(machine.projectId, modelId);
}

/** The line overview and machine dashboard views: machine cards, score series, score distribution. */
export function monitoringHandlers(app: AppContext): DomainHandlers<'monitoring'> {
  const { ws } = app;
  return {
    'monitoring/lineOverview': ({ projectId }) => {
      app.project(projectId);
      return lineOverview(app, projectId, app.effectiveModelId(projectId));
    },
    'monitoring/scoreSeries': ({ machineId, modelId, before, limit }) => {
      const machine = app.machine(machineId);
      return scoreSeries(ws, machine, viewModel(app, machine, modelId), before, limit);
    },
    'monitoring/alarms': ({ limit, offset, ...filter }) => alarmList(app, filter, limit, offset),
    'monitoring/scoreDistribution': ({ machineId, modelId, bins }) => {
      const machine = app.machine(machineId);
      return scoreDistribution(ws, machine, viewModel(app, machine, modelId), bins);
    },
  };
}
