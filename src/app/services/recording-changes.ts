/**
 * Changes to a stored recording that affect what back-ends learn from: adding a clip (e.g. a
 * false alarm) to the training set or taking it back out, and moving it to another machine,
 * role or label. Each is one transaction with an audit entry, and queues the scoring run that
 * refits the machines' back-ends (their training set changed) and rescores their clips.
 */
import type { ApiParsedArgs } from '../../shared/api.ts';
import type { Recording } from '../../shared/domain.ts';
import type { AppContext } from '../app-context.ts';
import { InvalidRequestError } from '../errors.ts';

/**
 * Moves a normal clip into the training set (role train, its previous role remembered) or back
 * out of it. Evaluation (thresholds, model comparison) never uses a training clip, and the next
 * scoring run refits the machine's back-end on the new set.
 */
export function setTrainingMembership(
  app: AppContext,
  recordingId: number,
  add: boolean,
  actor: string,
): void {
  const rec = app.recording(recordingId);
  if (add && rec.label === 'anomaly')
    throw new InvalidRequestError('an anomalous clip cannot be added to the training set');
  if (add === rec.addedToTraining || (add && rec.role === 'train')) return;
  app.ws.recordings.setAddedToTraining(recordingId, add);
  const after = app.recording(recordingId);
  app.audit(actor, add ? 'add-to-training' : 'remove-from-training', 'recording', recordingId, {
    from: rec.role,
    to: after.role,
    machineId: rec.machineId,
  });
}

/** After a training-set change: one scoring run refits the stale back-ends and rescores. */
export function refitAfterTrainingChange(app: AppContext, projectId: number): void {
  if (app.effectiveModelId(projectId) !== null) app.enqueueScoring(projectId);
}

/** `recordings/update`: another machine (same project), role or label. */
export function updateRecording(
  app: AppContext,
  args: ApiParsedArgs<'recordings/update'>,
  actor: string,
): Recording {
  const { ws } = app;
  const rec = app.recording(args.recordingId);
  if (args.machineId !== undefined && app.machine(args.machineId).projectId !== rec.projectId)
    throw new InvalidRequestError(`machine ${args.machineId} belongs to another project`);
  const patch = {
    machineId: args.machineId ?? rec.machineId,
    role: args.role ?? rec.role,
    label: args.label ?? rec.label,
  };
  if (patch.role === 'train' && patch.label === 'anomaly')
    throw new InvalidRequestError(
      'a training clip must not be labelled anomaly: back-ends learn what normal is',
    );
  const moved = patch.machineId !== rec.machineId;
  const changed = moved || patch.role !== rec.role || patch.label !== rec.label;
  if (!changed) return rec;
  ws.transaction(() => {
    ws.recordings.update(rec.id, patch);
    // Its scores came from the old machine's back-ends (and with them its alarm): scored again below.
    const removedScores = moved ? ws.scores.deleteForRecording(rec.id) : 0;
    app.audit(actor, 'update', 'recording', rec.id, {
      from: { machineId: rec.machineId, role: rec.role, label: rec.label },
      to: patch,
      removedScores,
    });
  });
  refitAfterTrainingChange(app, rec.projectId);
  return app.recording(rec.id);
}
