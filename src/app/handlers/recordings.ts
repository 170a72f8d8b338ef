import type { RecordingRow } from '../../shared/api.ts';
import type { AppContext, Handlers } from '../app-context.ts';
import { InvalidRequestError } from '../errors.ts';
import { toRecording, type RecordingRow as DbRecordingRow } from '../db/repos/recordings.ts';
import { clipHealth, healthScale, type HealthScale } from '../services/health.ts';
import { clipLevel } from '../services/level.ts';
import {
  refitAfterTrainingChange,
  setTrainingMembership,
  updateRecording,
} from '../services/recording-changes.ts';

type RecordingHandlers = Pick<
  Handlers,
  'recordings/list' | 'recordings/get' | 'recordings/label' | 'recordings/update'
>;

/** Recordings: pages with scores and health, one clip with its scores, alarms and level, changes. */
export function recordingHandlers(app: AppContext): RecordingHandlers {
  const { ws } = app;
  /** Per-machine look-ups of one request (health scale, training level), computed once each. */
  const perMachine = <T>(f: (machineId: number) => T) => {
    const memo = new Map<number, T>();
    return (machineId: number): T => {
      if (!memo.has(machineId)) memo.set(machineId, f(machineId));
      return memo.get(machineId)!;
    };
  };
  return {
    'recordings/list': (q) => {
      app.project(q.projectId);
      const modelId = app.effectiveModelId(q.projectId);
      const scaleOf = perMachine((m): HealthScale | null =>
        modelId === null ? null : healthScale(ws, m, modelId),
      );
      const trainingLevel = perMachine((m) => ws.recordings.trainingLevelDbfs(m));
      const page = ws.dashboard.recordingPage(q, modelId, (row) => toRecording(row as DbRecordingRow));
      return {
        total: page.total,
        items: page.items.map((r): RecordingRow => {
          const scale = scaleOf(r.machineId);
          const health =
            r.score &&
            scale &&
            clipHealth(r.score.modelId, { role: r.role, clipScore: r.score.clipScore }, scale);
          return {
            ...r,
            score: r.score && {
              ...r.score,
              healthIndex: health?.healthIndex ?? null,
              alarming: health?.alarming ?? false,
            },
            level: clipLevel(r.levelDbfs, trainingLevel(r.machineId)),
          };
        }),
      };
    },
    'recordings/get': ({ recordingId }) => {
      const recording = app.recording(recordingId);
      const scores = ws.scores.forRecording(recordingId);
      const modelId = app.effectiveModelId(recording.projectId);
      const score = scores.find((s) => s.modelId === modelId);
      return {
        recording,
        machine: app.machine(recording.machineId),
        scores,
        alarms: ws.alarms.forRecording(recordingId),
        health: score
          ? clipHealth(
              score.modelId,
              { role: recording.role, clipScore: score.clipScore },
              healthScale(ws, recording.machineId, score.modelId),
            )
          : null,
        level: clipLevel(recording.levelDbfs, ws.recordings.trainingLevelDbfs(recording.machineId)),
      };
    },
    'recordings/label': ({ recordingId, label, addToTraining }, actor) => {
      const rec = app.recording(recordingId);
      if (addToTraining && label !== 'normal')
        throw new InvalidRequestError('only clips labelled normal can be added to the training set');
      ws.transaction(() => {
        ws.recordings.setLabel(recordingId, label);
        app.audit(actor, 'label', 'recording', recordingId, { from: rec.label, to: label, addToTraining });
        // An anomaly never stays in the training set.
        const inTraining = addToTraining ?? (label === 'anomaly' ? false : undefined);
        if (inTraining !== undefined) setTrainingMembership(app, recordingId, inTraining, actor);
      });
      if (app.recording(recordingId).role !== rec.role) refitAfterTrainingChange(app, rec.projectId);
      return app.recording(recordingId);
    },
    'recordings/update': (args, actor) => updateRecording(app, args, actor),
  };
}
