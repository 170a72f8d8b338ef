import type { AppContext, Handlers } from '../app-context.ts';
import { alarmHandlers } from './alarms.ts';
import { auditHandlers } from './audit.ts';
import { dashboardHandlers } from './dashboard.ts';
import { importHandlers } from './imports.ts';
import { jobHandlers } from './jobs.ts';
import { machineHandlers } from './machines.ts';
import { modelHandlers } from './models.ts';
import { projectHandlers } from './projects.ts';
import { recordingHandlers } from './recordings.ts';
import { scoreHandlers } from './scores.ts';
import { systemHandlers } from './system.ts';
import { thresholdHandlers } from './thresholds.ts';

/** The handler map of the whole contract, composed from one module per domain. */
export function createHandlers(app: AppContext): Handlers {
  return {
    ...systemHandlers(app),
    ...projectHandlers(app),
    ...machineHandlers(app),
    ...recordingHandlers(app),
    ...importHandlers(app),
    ...modelHandlers(app),
    ...scoreHandlers(app),
    ...thresholdHandlers(app),
    ...alarmHandlers(app),
    ...jobHandlers(app),
    ...auditHandlers(app),
    ...dashboardHandlers(app),
  };
}
