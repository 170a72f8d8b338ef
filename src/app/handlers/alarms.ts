import type { AppContext } from '../app-context.ts';
import { InvalidRequestError } from '../errors.ts';
import type { DomainHandlers } from './types.ts';

/** Alarms and their triage. */
export function alarmHandlers(app: AppContext): DomainHandlers<'alarms'> {
  const { ws } = app;
  return {
    'alarms/list': (q) => {
      app.project(q.projectId);
      return ws.alarms.list(q);
    },
    'alarms/update': ({ alarmId, status, note, addToTraining }, actor) => {
      const alarm = app.alarm(alarmId);
      if (addToTraining && status !== 'false_alarm' && alarm.status !== 'false_alarm')
        throw new InvalidRequestError('only a false alarm can be added to the training set');
      return ws.transaction(() => {
        const updated = ws.alarms.update(alarmId, { status, note }, actor);
        // The label follows the engineer's verdict: a false alarm is a normal clip, a confirmed one an anomaly.
        if (status === 'false_alarm') ws.recordings.setLabel(alarm.recordingId, 'normal');
        if (status === 'confirmed_anomaly') {
          ws.recordings.setLabel(alarm.recordingId, 'anomaly');
          ws.recordings.setAddedToTraining(alarm.recordingId, false);
        }
        if (addToTraining !== undefined && updated.status === 'false_alarm')
          ws.recordings.setAddedToTraining(alarm.recordingId, addToTraining);
        app.audit(actor, 'triage', 'alarm', alarmId, { from: alarm.status, to: updated.status, note, addToTraining });
        return updated;
      });
    },
  };
}
