import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import { tempDir } from '../helpers/workspace.ts';
import { uniqueSentence } from '../../../src/app/errors.ts';
import { seedFittedMachine, seedScoredClip } from '../helpers/seed.ts';

let t: ReturnType<typeof tempDir>;
let app: AppService;
const ws = () => appInternals(app).ws;

beforeEach(() => {
  t = tempDir();
  app = AppService.open(path.join(t.dir, 'ws'), { watch: false, runJobs: false });
});
afterEach(async () => {
  await app.close();
  t.cleanup();
});

describe('training-set hygiene: a false alarm added to training', () => {
  it('moves to role train (audited, undoable), queues the refit, and is never evaluated again', async () => {
    const { project, machine, model } = seedFittedMachine(ws(), 9);
    const clip = (clipScore: number, label: 'normal' | 'anomaly' | 'unknown') =>
      seedScoredClip(ws(), {
        projectId: project.id,
        machineId: machine.id,
        modelId: model.id,
        clipScore,
        label,
      });
    clip(3, 'normal');
    clip(4, 'normal');
    clip(20, 'anomaly');
    const door = clip(15, 'unknown');
    const other = ws().models.create({
      projectId: project.id,
      name: 'learned',
      kind: 'sc-adacos',
      status: 'trained',
    });
    for (const r of ws().recordings.list({ projectId: project.id }))
      ws().scores.upsert({
        recordingId: r.id,
        modelId: other.id,
        backend: 'gmm',
        clipScore: 1,
        windowScores: [1],
        windowStartsS: [0],
      });
    const th = ws().thresholds.active(machine.id, model.id)!;
    const alarm = ws().alarms.raise({
      recordingId: door.recordingId,
      scoreId: door.scoreId,
      thresholdId: th.id,
      scoreValue: 15,
      thresholdValue: 9,
    })!;

    const before = await app.call('thresholds/get', { machineId: machine.id });
    const cmpBefore = await app.call('models/compare', {
      projectId: project.id,
      modelA: model.id,
      modelB: other.id,
    });
    await app.call(
      'alarms/update',
      { alarmId: alarm.id, status: 'false_alarm', addToTraining: true },
      'alice',
    );
    expect(before).toMatchObject({ normalCount: 10 + 2, anomalyCount: 1 }); // label unknown until triaged

    const rec = (await app.call('recordings/get', { recordingId: door.recordingId })).recording;
    expect(rec).toMatchObject({
      role: 'train',
      label: 'normal',
      addedToTraining: true,
      roleBeforeTraining: 'monitor',
    });
    // Counted once: as a training clip it is represented by the held-out scores of the next fit,
    // never as a labelled normal evaluation clip scored by a back-end fitted on itself.
    const after = await app.call('thresholds/get', { machineId: machine.id });
    expect(after).toMatchObject({ normalCount: 10 + 2, anomalyCount: 1 });
    const cmp = await app.call('models/compare', {
      projectId: project.id,
      modelA: model.id,
      modelB: other.id,
    });
    expect(cmpBefore.machines[0]!.clips).toBe(3);
    expect(cmp.machines[0]!.clips).toBe(3);
    expect(
      ws()
        .recordings.trainingSet(machine.id)
        .map((r) => r.id),
    ).toEqual([door.recordingId]);
    // The refit of the machine's back-end and the rescoring are queued.
    expect(
      (await app.call('jobs/list', { projectId: project.id, status: ['queued'] })).map((j) => j.kind),
    ).toEqual(['score']);
    // The training-clip count follows.
    expect((await app.call('dashboard/summary', { projectId: project.id })).machines[0]!.trainCount).toBe(1);
    const audit = await app.call('audit/list', { entity: 'recording', entityId: door.recordingId });
    expect(audit[0]).toMatchObject({
      actor: 'alice',
      action: 'add-to-training',
      details: { from: 'monitor', to: 'train' },
    });

    // Undo: back to the role it had.
    const undone = await app.call(
      'recordings/label',
      { recordingId: door.recordingId, label: 'normal', addToTraining: false },
      'alice',
    );
    expect(undone).toMatchObject({ role: 'monitor', addedToTraining: false, roleBeforeTraining: null });
    expect(
      (await app.call('audit/list', { entity: 'recording', entityId: door.recordingId }))[0],
    ).toMatchObject({
      action: 'remove-from-training',
      details: { from: 'train', to: 'monitor' },
    });
    // Confirming an anomaly takes a clip out of the training set.
    await app.call('recordings/label', {
      recordingId: door.recordingId,
      label: 'normal',
      addToTraining: true,
    });
    await app.call('alarms/update', { alarmId: alarm.id, status: 'confirmed_anomaly' });
    expect((await app.call('recordings/get', { recordingId: door.recordingId })).recording).toMatchObject({
      role: 'monitor',
      label: 'anomaly',
    });
    await expect(
      app.call('recordings/label', { recordingId: door.recordingId, label: 'anomaly', addToTraining: true }),
    ).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('typed errors map to the contract codes; duplicate names read as sentences', async () => {
    const p = await app.call('projects/create', { name: 'dup' });
    await app.call('machines/create', { projectId: p.id, type: 'fan', name: 'id_00' });
    await expect(
      app.call('machines/create', { projectId: p.id, type: 'fan', name: 'id_00' }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/^this project already has a machine fan\/id_00 \(machine \d+\)$/),
    });
    expect(uniqueSentence('UNIQUE constraint failed: machine.project_id, machine.type, machine.name')).toBe(
      'A machine with the same project, type and name already exists.',
    );
    await expect(app.call('jobs/get', { jobId: 42 })).rejects.toMatchObject({
      code: 'not_found',
      message: 'No job with id 42',
    });
    await expect(app.call('thresholds/undo', { machineId: 77 })).rejects.toMatchObject({ code: 'not_found' });
  });
});
