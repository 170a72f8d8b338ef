import type { AppContext } from '../app-context.ts';
import { ConflictError } from '../errors.ts';
import {
  labelledScores,
  setDefaultThreshold,
  thresholdForFalseAlarmRate,
  thresholdView,
} from '../services/thresholds.ts';
import type { DomainHandlers } from './types.ts';

/** Per-machine alarm thresholds under a model. */
export function thresholdHandlers(app: AppContext): DomainHandlers<'thresholds'> {
  const { ws } = app;
  return {
    'thresholds/get': ({ machineId, modelId }) => {
      const machine = app.machine(machineId);
      return thresholdView(ws, machine.id, app.modelOfProject(machine.projectId, modelId));
    },
    'thresholds/set': (args, actor) => {
      const machine = app.machine(args.machineId);
      const modelId = app.modelOfProject(machine.projectId, args.modelId);
      const before = ws.thresholds.active(machine.id, modelId);
      if ('value' in args) {
        ws.thresholds.set({ machineId: machine.id, modelId, value: args.value, method: 'manual', setBy: actor });
      } else if ('targetFalseAlarmRate' in args) {
        const { normal } = labelledScores(ws, machine.id, modelId);
        if (normal.length === 0)
          throw new ConflictError(
            `machine ${machine.id} has no normal clip scores to set a false-alarm rate against`,
          );
        ws.thresholds.set({
          machineId: machine.id,
          modelId,
          value: thresholdForFalseAlarmRate(normal, args.targetFalseAlarmRate),
          method: 'target-far',
          targetFalseAlarmRate: args.targetFalseAlarmRate,
          setBy: actor,
        });
      } else {
        setDefaultThreshold(ws, machine.id, modelId, actor, args.quantile);
      }
      const after = ws.thresholds.active(machine.id, modelId)!;
      app.audit(actor, 'set-threshold', 'machine', machine.id, {
        modelId,
        request: args,
        from: before?.value ?? null,
        to: after.value,
        method: after.method,
      });
      return thresholdView(ws, machine.id, modelId);
    },
  };
}
