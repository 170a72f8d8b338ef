import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import { quantile, thresholdForFalseAlarmRate } from '../../../src/app/services/thresholds.ts';
import { tempDir, waitForIdle, writeTinyLine } from '../helpers/workspace.ts';

let t: ReturnType<typeof tempDir>;
let app: AppService;

beforeEach(() => {
  t = tempDir();
  app = AppService.open(path.join(t.dir, 'ws'), { watchPolling: true });
});
afterEach(async () => {
  await app.close();
  t.cleanup();
});

describe('threshold arithmetic', () => {
  it('quantile interpolates like numpy', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 12);
    expect(quantile([5, 1, 3], 0.5)).toBe(3);
    expect(() => quantile([], 0.5)).toThrow(/no values/);
  });
  it('a target false-alarm rate flags at most that share of normal scores', () => {
    const normal = Array.from({ length: 20 }, (_, i) => i);
    for (const rate of [0, 0.05, 0.1, 0.25]) {
      const th = thresholdForFalseAlarmRate(normal, rate);
      const flagged = normal.filter((s) => s >= th).length;
      expect(flagged).toBe(Math.floor(rate * 20));
    }
  });
});

describe('import → mean-log-Mel scoring → thresholds → alarms (real job processes)', () => {
  it('scores a new line before any training, sets k-fold thresholds, raises alarms and triages them', async () => {
    const root = path.join(t.dir, 'line');
    writeTinyLine(root);
    const p = await app.call('projects/create', { name: 'Line 1' });
    await app.call('recordings/import', {
      projectId: p.id,
      sources: [path.join(root, 'train')],
      role: 'train',
    });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    const alarmsSeen: number[] = [];
    app.on('alarm', (a) => alarmsSeen.push(a.recordingId));
    await app.call('recordings/import', {
      projectId: p.id,
      sources: [path.join(root, 'test')],
      role: 'monitor',
    });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    const failed = appInternals(app).ws.jobs.list({ status: ['failed'] });
    expect(failed.map((j) => j.error)).toEqual([]);

    const summary = await app.call('dashboard/summary', { projectId: p.id });
    expect(summary.activeModel?.kind).toBe('mean-logmel');
    expect(summary.machines).toHaveLength(2);
    const jobLogs = JSON.stringify(
      appInternals(app).ws.jobs.list({}).map((j) => [j.id, j.kind, j.status, j.result, j.log]),
    );
    for (const m of summary.machines) {
      expect(m.backend).toBe('mean-logmel');
      expect(m.trainCount).toBe(8);
      expect(m.scoredCount, jobLogs).toBe(8);
      expect(m.threshold).not.toBeNull();
    }

    const fan = summary.machines.find((m) => m.machine.type === 'fan')!.machine;
    const view = await app.call('thresholds/get', { machineId: fan.id });
    // k-fold: every training clip has exactly one held-out score; the default is their 90th percentile.
    expect(view.heldoutNormalScores).toHaveLength(8);
    expect(view.threshold!.method).toBe('default-quantile');
    expect(view.threshold!.value).toBeCloseTo(quantile(view.heldoutNormalScores, 0.9), 9);
    expect(view.anomalyCount).toBe(4);
    expect(view.detectionRate).toBe(1);

    const page = await app.call('recordings/list', { projectId: p.id, machineId: fan.id, role: 'monitor' });
    expect(page.total, jobLogs).toBe(8);
    const anomalies = page.items.filter((r) => r.label === 'anomaly');
    for (const r of anomalies) {
      expect(r.score!.backend).toBe('mean-logmel');
      expect(r.score!.clipScore).toBeGreaterThanOrEqual(view.threshold!.value);
      expect(r.alarmStatus).toBe('new');
    }
    const alarms = await app.call('alarms/list', { projectId: p.id, machineId: fan.id });
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    for (const a of alarms) expect(a.scoreValue).toBeGreaterThanOrEqual(a.thresholdValue);
    expect(alarmsSeen.length, jobLogs).toBe((await app.call('alarms/list', { projectId: p.id })).length);

    // Tune by target false-alarm rate: history is kept.
    const tuned = await app.call('thresholds/set', { machineId: fan.id, targetFalseAlarmRate: 0 });
    expect(tuned.threshold!.method).toBe('target-far');
    expect(tuned.falseAlarmRate).toBe(0);
    expect(tuned.history).toHaveLength(2);
    expect(tuned.history[1]!.active).toBe(false);

    // Triage: a false alarm becomes a normal clip and may join the next model's training set.
    const normalAlarm =
      alarms.find((a) => page.items.find((r) => r.id === a.recordingId)?.label === 'normal') ?? alarms[0]!;
    const updated = await app.call(
      'alarms/update',
      { alarmId: normalAlarm.id, status: 'false_alarm', note: 'door slam', addToTraining: true },
      'alice',
    );
    expect(updated).toMatchObject({ status: 'false_alarm', note: 'door slam', updatedBy: 'alice' });
    const rec = (await app.call('recordings/get', { recordingId: normalAlarm.recordingId })).recording;
    // "Add to training" moves the clip into the training set (role train), undoably.
    expect(rec).toMatchObject({ label: 'normal', addedToTraining: true, role: 'train', roleBeforeTraining: 'monitor' });
    expect(appInternals(app).ws.recordings.trainingSet(fan.id)).toHaveLength(9);
    // The grown training set makes the fan's back-end stale: the refit and rescoring are queued at once.
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    const rescore = appInternals(app).ws.jobs.list({ projectId: p.id }).find((j) => j.kind === 'score')!;
    expect(rescore.result).toMatchObject({ fitted: [fan.id] });
    const after = await app.call('dashboard/summary', { projectId: p.id });
    expect(after.machines.find((m) => m.machine.id === fan.id)!.trainCount).toBe(9);
    expect((await app.call('thresholds/get', { machineId: fan.id })).heldoutNormalScores).toHaveLength(9);
    expect((await app.call('audit/list', { entity: 'alarm' }))[0]).toMatchObject({
      actor: 'alice',
      action: 'triage',
    });
  });

  it('a watched folder imports new files as monitor recordings, scores them and raises alarms', async () => {
    const root = path.join(t.dir, 'line');
    writeTinyLine(root, { testPerMachine: 1 });
    const p = await app.call('projects/create', { name: 'watched' });
    await app.call('recordings/import', { projectId: p.id, sources: [path.join(root, 'train')] });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    const watchDir = path.join(t.dir, 'incoming');
    fs.mkdirSync(path.join(watchDir, 'fan_id_00'), { recursive: true });
    await app.call('projects/watch', { projectId: p.id, dir: watchDir });
    const alarm = new Promise((resolve) => app.on('alarm', resolve));
    fs.copyFileSync(
      path.join(root, 'test', 'fan_id_00', 'anomaly_0.wav'),
      path.join(watchDir, 'fan_id_00', 'new_clip.wav'),
    );
    await alarm;
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    const recs = appInternals(app).ws.recordings.list({ projectId: p.id, role: 'monitor' });
    expect(recs.map((r) => [r.fileName, r.source, r.storage])).toEqual([
      ['new_clip.wav', 'watch', 'referenced'],
    ]);
    expect((await app.call('alarms/list', { projectId: p.id }))[0]!.recordingId).toBe(recs[0]!.id);
  });

  it('validates arguments at the boundary with clear errors', async () => {
    await expect(app.call('projects/create', { name: '' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(app.call('projects/get', { projectId: 999 })).rejects.toMatchObject({
      code: 'not_found',
      message: 'No project with id 999',
    });
    await app.call('projects/create', { name: 'dup' });
    await expect(app.call('projects/create', { name: 'dup' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(app.call('projects/list', { extra: 1 } as never)).rejects.toMatchObject({
      code: 'bad_request',
    });
  });
});
