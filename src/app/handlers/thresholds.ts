import type { AppContext } from '../app-context.ts';
import { previewThreshold, setThreshold, undoThreshold } from '../services/threshold-change.ts';
import { thresholdView } from '../services/thresholds.ts';
import type { DomainHandlers } from './types.ts';

/** Per-machine alarm thresholds under a model: view, set (re-evaluating alarms), preview, undo. */
export function thresholdHandlers(app: AppContext): DomainHandlers<'thresholds'> {
  return {
    'thresholds/get': ({ machineId, modelId }) => {
      const machine = app.machine(machineId);
      return thresholdView(app.ws, machine.id, app.modelOfProject(machine.projectId, modelId));
    },
    'thresholds/set': (args, actor) => setThreshold(app, args, actor),
    'thresholds/preview': (args) => previewThreshold(app, args),
    'thresholds/undo': (args, actor) => undoThreshold(app, args, actor),
  };
}
