import type { AppContext } from '../app-context.ts';
import { inspectRecording } from '../services/inspection.ts';
import { viewModel } from './monitoring.ts';
import type { DomainHandlers } from './types.ts';

/** The clip inspector's view of a recording: scores, difference from normal, typical normal clip. */
export function inspectionHandlers(app: AppContext): DomainHandlers<'inspection'> {
  return {
    'inspection/clip': ({ recordingId, modelId, maxColumns }) => {
      const rec = app.recording(recordingId);
      const machine = app.machine(rec.machineId);
      return inspectRecording(app.ws, rec, machine, viewModel(app, machine, modelId), maxColumns);
    },
  };
}
