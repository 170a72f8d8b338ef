import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import { alarmAction, isAlarming } from '../../../src/app/services/alarm-rule.ts';
import { healthIndex, machineStatus } from '../../../src/app/services/health.ts';
import { clipLevel, rmsDbfs } from '../../../src/app/services/level.ts';
import { tempDir } from '../helpers/workspace.ts';
import { seedFittedMachine, seedScoredClip } from '../helpers/seed.ts';

let t: ReturnType<typeof tempDir>;
let app: AppService;
const ws = () => appInternals(app).ws;

beforeEach(() => {
  t = tempDir();
  // No job runs here: the rule is applied to stored scores, in this process.
  app = AppService.open(path.join(t.dir, 'ws'), { watch: false, runJobs: false });
});
afterEach(async () => {
  await app.close();
  t.cleanup();
});

/** Monitor clips scored 2, 5, 8, 9.5, 12 and a training clip scored 20, under threshold 9. */
function seedLine() {
  const { project, machine, model } = seedFittedMachine(ws(), 9);
  const clip = (clipScore: number, role: 'monitor' | 'train' = 'monitor') =>
    seedScoredClip(ws(), {
      projectId: project.id,
      machineId: machine.id,
      modelId: model.id,
      clipScore,
      role,
    });
  const clips = {
    s2: clip(2),
    s5: clip(5),
    s8: clip(8),
    s95: clip(9.5),
    s12: clip(12),
    train: clip(20, 'train'),
  };
  const th = ws().thresholds.active(machine.id, model.id)!;
  const raise = (c: { recordingId: number; scoreId: number }, score: number) =>
    ws().alarms.raise({
      recordingId: c.recordingId,
      scoreId: c.scoreId,
      thresholdId: th.id,
      scoreValue: score,
      thresholdValue: 9,
    })!;
  const a95 = raise(clips.s95, 9.5);
  const a12 = raise(clips.s12, 12);
  ws().alarms.update(a12.id, { status: 'acknowledged' }, 'alice'); // triaged: never touched by the rule
  return { project, machine, model, clips, a95, a12 };
}

const statusOf = (recordingId: number) => ws().alarms.forRecording(recordingId).at(-1)?.status ?? null;

describe('the alarm rule', () => {
  it('is one decision: evaluation clip and score ≥ threshold; raise, clear untriaged, leave triaged', () => {
    expect(isAlarming('monitor', 9, 9)).toBe(true);
    expect(isAlarming('test', 8.99, 9)).toBe(false);
    expect(isAlarming('train', 100, 9)).toBe(false);
    expect(isAlarming('monitor', 100, null)).toBe(false);
    expect(alarmAction(true, null)).toBe('raise');
    expect(alarmAction(true, 'cleared')).toBe('raise');
    expect(alarmAction(true, 'new')).toBeNull();
    expect(alarmAction(false, 'new')).toBe('clear');
    for (const triaged of ['acknowledged', 'confirmed_anomaly', 'false_alarm'] as const) {
      expect(alarmAction(false, triaged)).toBeNull();
      expect(alarmAction(true, triaged)).toBeNull();
    }
  });

  it('thresholds/set re-evaluates stored scores in one go; preview gives the same numbers; undo restores', async () => {
    const { machine, clips, a12 } = seedLine();
    // Lower to 6: the clip at 8 now alarms; the training clip at 20 never does.
    const preview = await app.call('thresholds/preview', { machineId: machine.id, value: 6 });
    expect(preview).toMatchObject({ from: 9, to: 6, raised: 1, cleared: 0, alarmsFollowModel: true });
    expect(statusOf(clips.s8.recordingId)).toBeNull(); // a preview writes nothing
    const lowered = await app.call('thresholds/set', { machineId: machine.id, value: 6 }, 'bob');
    expect(lowered.change).toEqual(preview);
    expect(statusOf(clips.s8.recordingId)).toBe('new');
    expect(statusOf(clips.train.recordingId)).toBeNull();

    // Raise to 10: the untriaged alarms at 8 and 9.5 are cleared by this change; the acknowledged one at 12 stays.
    const previewUp = await app.call('thresholds/preview', { machineId: machine.id, value: 10 });
    const raised = await app.call('thresholds/set', { machineId: machine.id, value: 10 }, 'bob');
    expect(raised.change).toEqual(previewUp);
    expect(raised.change).toMatchObject({ from: 6, to: 10, raised: 0, cleared: 2 });
    expect(statusOf(clips.s8.recordingId)).toBe('cleared');
    expect(statusOf(clips.s95.recordingId)).toBe('cleared');
    const cleared = ws().alarms.forRecording(clips.s95.recordingId)[0]!;
    expect(cleared.clearedByThresholdId).toBe(raised.threshold!.id);
    expect(ws().alarms.get(a12.id)!.status).toBe('acknowledged');
    const open = await app.call('alarms/list', {
      projectId: machine.projectId,
      status: ['new', 'acknowledged'],
    });
    expect(open.map((a) => a.recordingId)).toEqual([clips.s12.recordingId]);

    // Undo: back to 6, the cleared alarms re-open (one alarm per clip); undo again: back to 9.
    const undone = await app.call('thresholds/undo', { machineId: machine.id }, 'bob');
    expect(undone.threshold!.value).toBe(6);
    expect(undone.change).toMatchObject({ from: 10, to: 6, raised: 2, cleared: 0 });
    expect(statusOf(clips.s8.recordingId)).toBe('new');
    expect(ws().alarms.forRecording(clips.s8.recordingId)).toHaveLength(1);
    const twice = await app.call('thresholds/undo', { machineId: machine.id }, 'bob');
    expect(twice.threshold!.value).toBe(9);
    expect(twice.change).toMatchObject({ from: 6, to: 9, raised: 0, cleared: 1 });
    await expect(app.call('thresholds/undo', { machineId: machine.id })).rejects.toMatchObject({
      code: 'conflict',
    });

    // The audit log has the old and new values of every change.
    const audit = (await app.call('audit/list', { entity: 'machine', entityId: machine.id })).reverse();
    expect(
      audit.map((e) => [e.action, e.details.from, e.details.to, e.details.raised, e.details.cleared]),
    ).toEqual([
      ['set-threshold', 9, 6, 1, 0],
      ['set-threshold', 6, 10, 0, 2],
      ['undo-threshold', 10, 6, 2, 0],
      ['undo-threshold', 6, 9, 0, 1],
    ]);
  });

  it('a target false-alarm rate is reported with its resulting value, not only the request', async () => {
    const { machine } = seedLine();
    const r = await app.call('thresholds/set', { machineId: machine.id, targetFalseAlarmRate: 0.2 }, 'bob');
    const entry = (await app.call('audit/list', { entity: 'machine', entityId: machine.id }))[0]!;
    expect(entry.details).toMatchObject({ from: 9, to: r.threshold!.value, method: 'target-far' });
    expect(r.falseAlarmRate).toBeLessThanOrEqual(0.2);
  });

  it('a threshold of a model alarms do not follow changes no alarm', async () => {
    const { project, machine, clips } = seedLine();
    const other = ws().models.create({
      projectId: project.id,
      name: 'candidate',
      kind: 'sc-adacos',
      status: 'trained',
    });
    ws().scores.upsert({
      recordingId: clips.s2.recordingId,
      modelId: other.id,
      backend: 'gmm',
      clipScore: 50,
      windowScores: [50],
      windowStartsS: [0],
    });
    const r = await app.call('thresholds/set', { machineId: machine.id, modelId: other.id, value: 1 });
    expect(r.change).toMatchObject({ alarmsFollowModel: false, raised: 0, cleared: 0 });
    expect(statusOf(clips.s2.recordingId)).toBeNull();
  });

  it('activating a model applies the rule to its stored scores (raise and clear untriaged)', async () => {
    const { project, machine, clips, a95 } = seedLine();
    const learned = ws().models.create({
      projectId: project.id,
      name: 'learned',
      kind: 'sc-adacos',
      status: 'trained',
    });
    ws().thresholds.set({
      machineId: machine.id,
      modelId: learned.id,
      value: 0.5,
      method: 'manual',
      setBy: 't',
    });
    const score = (c: { recordingId: number }, v: number) =>
      ws().scores.upsert({
        recordingId: c.recordingId,
        modelId: learned.id,
        backend: 'gmm',
        clipScore: v,
        windowScores: [v],
        windowStartsS: [0],
      });
    score(clips.s2, 0.9); // alarms under the learned model
    score(clips.s95, 0.1); // its untriaged alarm is not confirmed by the learned model
    await app.call('models/activate', { projectId: project.id, modelId: learned.id });
    expect(statusOf(clips.s2.recordingId)).toBe('new');
    expect(ws().alarms.get(a95.id)!.status).toBe('cleared');
    expect(statusOf(clips.s12.recordingId)).toBe('acknowledged');
  });
});

describe('health index, machine state, level', () => {
  it('0 = median held-out normal score, 1 = threshold; shown with every score and per machine', async () => {
    expect(healthIndex(5.5, { heldoutMedian: 5.5, threshold: 9 })).toBe(0);
    expect(healthIndex(9, { heldoutMedian: 5.5, threshold: 9 })).toBe(1);
    expect(healthIndex(12.5, { heldoutMedian: 5.5, threshold: 9 })).toBe(2);
    expect(healthIndex(7, { heldoutMedian: 5.5, threshold: 5 })).toBeNull(); // threshold below the median
    const { project, machine, clips } = seedLine();
    const page = await app.call('recordings/list', { projectId: project.id, role: 'monitor' });
    const byId = new Map(page.items.map((r) => [r.id, r]));
    expect(byId.get(clips.s95.recordingId)!.score).toMatchObject({
      clipScore: 9.5,
      healthIndex: 4 / 3.5,
      alarming: true,
    });
    expect(byId.get(clips.s2.recordingId)!.score).toMatchObject({ healthIndex: -1, alarming: false });
    const one = await app.call('recordings/get', { recordingId: clips.s8.recordingId });
    expect(one.health).toMatchObject({
      healthIndex: 2.5 / 3.5,
      threshold: 9,
      heldoutMedian: 5.5,
      alarming: false,
    });
    const view = await app.call('thresholds/get', { machineId: machine.id });
    expect(view.heldoutMedian).toBe(5.5);
    const summary = await app.call('dashboard/summary', { projectId: project.id });
    expect(summary.machines[0]!.status).toEqual({ state: 'alarm', reason: '2 open alarms' });
    expect(summary.machines[0]!.lastScore).toMatchObject({
      recordingId: clips.s12.recordingId,
      alarming: true,
    });
    const listed = await app.call('machines/list', { projectId: project.id });
    expect(listed[0]!.status.state).toBe('alarm');
  });

  it('machine states follow the documented rules', () => {
    const scale = { heldoutMedian: 5, threshold: 9 };
    const base = { scale, fitted: true, openAlarms: 0, latestHealthIndex: 0.2, latestLevelFinding: null };
    expect(machineStatus(base).state).toBe('ok');
    expect(machineStatus({ ...base, latestHealthIndex: 0.7 }).state).toBe('watch');
    expect(machineStatus({ ...base, latestLevelFinding: 'recorded 12.0 dB quieter than training' })).toEqual({
      state: 'watch',
      reason: 'latest clip recorded 12.0 dB quieter than training',
    });
    expect(machineStatus({ ...base, openAlarms: 1 }).state).toBe('alarm');
    expect(machineStatus({ ...base, fitted: false, openAlarms: 3 }).state).toBe('no model');
    expect(machineStatus({ ...base, scale: null }).state).toBe('no model');
  });

  it('level: RMS dBFS; a shift beyond 6 dB from the training level is its own finding', async () => {
    const square = new Float32Array(1000).map((_, i) => (i % 2 ? 1 : -1));
    expect(rmsDbfs(square)).toBeCloseTo(0, 9);
    const sine = new Float32Array(16000).map((_, i) => Math.sin((2 * Math.PI * 100 * i) / 16000));
    expect(rmsDbfs(sine)).toBeCloseTo(-3.0103, 3);
    expect(rmsDbfs(sine.map((x) => x / 4))).toBeCloseTo(-3.0103 - 12.0412, 3);
    expect(clipLevel(-32, -20)).toEqual({
      levelDbfs: -32,
      trainingLevelDbfs: -20,
      differenceDb: -12,
      finding: 'recorded 12.0 dB quieter than training',
    });
    expect(clipLevel(-14, -20).finding).toBeNull(); // exactly the margin: not beyond it
    expect(clipLevel(-13.5, -20).finding).toBe('recorded 6.5 dB louder than training');
    expect(clipLevel(-25, -20).finding).toBeNull();
    const { project, machine, model } = seedFittedMachine(ws(), 9, 'levels');
    for (const lv of [-21, -20, -19])
      seedScoredClip(ws(), {
        projectId: project.id,
        machineId: machine.id,
        modelId: model.id,
        clipScore: 5,
        role: 'train',
        levelDbfs: lv,
      });
    const quiet = seedScoredClip(ws(), {
      projectId: project.id,
      machineId: machine.id,
      modelId: model.id,
      clipScore: 5,
      levelDbfs: -32,
    });
    const got = await app.call('recordings/get', { recordingId: quiet.recordingId });
    expect(got.level).toMatchObject({
      trainingLevelDbfs: -20,
      differenceDb: -12,
      finding: 'recorded 12.0 dB quieter than training',
    });
    const summary = await app.call('dashboard/summary', { projectId: project.id });
    expect(summary.machines[0]!.status).toEqual({
      state: 'watch',
      reason: 'latest clip recorded 12.0 dB quieter than training',
    });
  });
});
