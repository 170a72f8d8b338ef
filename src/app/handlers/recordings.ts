import type { AppContext, Handlers } from '../app-context.ts';
import { InvalidRequestError } from '../errors.ts';
import { toRecording, type RecordingRow } from '../db/repos/recordings.ts';

type RecordingHandlers = Pick<Handlers, 'recordings/list' | 'recordings/get' | 'recordings/label'>;

/** Recordings: pages with scores, one clip with its scores and alarms, labels. */
export function recordingHandlers(app: AppContext): RecordingHandlers {
  const { ws } = app;
  return {
    'recordings/list': (q) => {
      app.project(q.projectId);
      return ws.dashboard.recordingPage(q, app.effectiveModelId(q.projectId), (row) =>
        toRecording(row as RecordingRow),
      );
    },
    'recordings/get': ({ recordingId }) => {
      const recording = app.recording(recordingId);
      return {
        recording,
        machine: app.machine(recording.machineId),
        scores: ws.scores.forRecording(recordingId),
        alarms: ws.alarms.forRecording(recordingId),
      };
    },
    'recordings/label': ({ recordingId, label, addToTraining }, actor) => {
      const rec = app.recording(recordingId);
      if (addToTraining && label !== 'normal')
        throw new InvalidRequestError('only clips labelled normal can be added to the training set');
      ws.transaction(() => {
        ws.recordings.setLabel(recordingId, label);
        if (addToTraining !== undefined)
          ws.recordings.setAddedToTraining(recordingId, addToTraining && label === 'normal');
        else if (label !== 'normal') ws.recordings.setAddedToTraining(recordingId, false);
        app.audit(actor, 'label', 'recording', recordingId, { from: rec.label, to: label, addToTraining });
      });
      return app.recording(recordingId);
    },
  };
}
