import type { Workspace } from '../../../src/app/workspace.ts';
import { ensureBaselineModel } from '../../../src/app/services/baseline.ts';
import type { RecordingLabel, RecordingRole } from '../../../src/shared/domain.ts';

let hash = 0;

/** A recording row with a stored clip score, without any audio: for tests of rules over stored scores. */
export function seedScoredClip(
  ws: Workspace,
  o: {
    projectId: number;
    machineId: number;
    modelId: number;
    clipScore: number;
    role?: RecordingRole;
    label?: RecordingLabel;
    levelDbfs?: number;
  },
): { recordingId: number; scoreId: number } {
  const rec = ws.recordings.insert({
    projectId: o.projectId,
    machineId: o.machineId,
    path: `/nowhere/clip-${++hash}.wav`,
    storage: 'referenced',
    originalPath: `/nowhere/clip-${hash}.wav`,
    fileName: `clip-${hash}.wav`,
    contentHash: `seed-${hash}-${Math.random()}`,
    format: { container: 'wav', codec: 'pcm_s16le', channels: 1, sampleRateHz: 16000, bitsPerSample: 16 },
    durationS: 10,
    role: o.role ?? 'monitor',
    label: o.label ?? 'unknown',
    source: 'import',
    levelDbfs: o.levelDbfs ?? -20,
  });
  const score = ws.scores.upsert({
    recordingId: rec.id,
    modelId: o.modelId,
    backend: 'mean-logmel',
    clipScore: o.clipScore,
    windowScores: [o.clipScore],
    windowStartsS: [0],
  });
  return { recordingId: rec.id, scoreId: score.id };
}

/**
 * A project with one machine fitted under the baseline model: held-out normal scores 1…10
 * (median 5.5) and the given threshold.
 */
export function seedFittedMachine(ws: Workspace, threshold: number, name = 'line') {
  const project = ws.projects.create({ name });
  const machine = ws.machines.ensure(project.id, 'fan', 'id_00');
  const model = ensureBaselineModel(ws, project.id);
  ws.models.saveBackendFit({
    modelId: model.id,
    machineId: machine.id,
    kind: 'mean-logmel',
    params: {},
    trainCount: 10,
    heldoutScores: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  });
  ws.thresholds.set({
    machineId: machine.id,
    modelId: model.id,
    value: threshold,
    method: 'manual',
    setBy: 'test',
  });
  return { project, machine, model };
}
