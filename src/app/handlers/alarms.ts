import type { AppContext } from '../app-context.ts';
import { InvalidRequestError } from '../errors.ts';
import { refitAfterTrainingChange, setTrainingMembership } from '../services/recording-changes.ts';
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
      const { role } = app.recording(alarm.recordingId);
      const result = ws.transaction(() => {
        const updated = ws.alarms.update(alarmId, { status, note }, actor);
        // The label follows the engineer's verdict: a false alarm is a normal clip, a confirmed one an anomaly.
        if (status === 'false_alarm') ws.recordings.setLabel(alarm.recordingId, 'normal');
        if (status === 'confirmed_anomaly') {
          ws.recordings.setLabel(alarm.recordingId, 'anomaly');
          setTrainingMembership(app, alarm.recordingId, false, actor);
        }
        if (addToTraining !== undefined && updated.status === 'false_alarm')
          setTrainingMembership(app, alarm.recordingId, addToTraining, actor);
        app.audit(actor, 'triage', 'alarm', alarmId, {
          from: alarm.status,
          to: updated.status,
          note,
          addToTraining,
        });
        return updated;
      });
      if (app.recording(alarm.recordingId).role !== role) refitAfterTrainingChange(app, alarm.projectId);
      return result;
    },
  };
}
