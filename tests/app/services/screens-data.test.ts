import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import { jobEvent, JOB_EVENT_LOG_CHARS } from '../../../src/app/app-context.ts';
import type { Job } from '../../../src/shared/domain.ts';
import { quantile } from '../../../src/app/services/thresholds.ts';
import { binEdges, histogramCounts } from '../../../src/app/services/monitoring.ts';
import { healthIndex } from '../../../src/app/services/health.ts';
import { scoreAtHealthIndex } from '../../../src/shared/health.ts';
import { ApiError } from '../../../src/shared/api.ts';
import { tempDir, waitForIdle, writeTinyLine, writeToneWav } from '../helpers/workspace.ts';

describe('health index inverse and histogram', () => {
  it("the threshold editor's index → score is the inverse of the app's health index", () => {
    const scale = { heldoutMedian: 10, threshold: 30 };
    for (const score of [-5, 10, 22, 30, 55]) expect(scoreAtHealthIndex(healthIndex(score, scale)!, scale)).toBeCloseTo(score, 12);
    expect(scoreAtHealthIndex(1, scale)).toBe(30);
  });
  it('bins cover 0 and 1 and every value; counts add up', () => {
    const values = [-0.5, 0.1, 0.2, 0.95, 1.7];
    const edges = binEdges(values, 10, [0, 1]);
    expect(edges).toHaveLength(11);
    expect(edges[0]).toBeLessThan(-0.5);
    expect(edges[10]).toBeGreaterThan(1.7);
    const counts = histogramCounts(values, edges);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    expect(counts[0]).toBe(1);
    expect(counts[9]).toBe(1);
  });
  it('a cap keeps far-off values in the last bin', () => {
    const edges = binEdges([0.2, 0.9, 15], 10, [0, 1], 3);
    expect(edges[10]).toBeLessThan(3.1);
    expect(edges[10]).toBeGreaterThan(3);
    const counts = histogramCounts([0.2, 0.9, 15], edges);
    expect(counts[9]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe('job events', () => {
  it('carry the tail of a long log, not all of it; short logs unchanged', () => {
    const job = { id: 1, log: Array.from({ length: 2000 }, (_, i) => `file ${i}: cannot be read`).join('\n') } as Job;
    const e = jobEvent(job);
    expect(e.log).toHaveLength(JOB_EVENT_LOG_CHARS);
    expect(job.log.endsWith(e.log)).toBe(true);
    const short = { id: 2, log: 'scored 3 recordings' } as Job;
    expect(jobEvent(short)).toBe(short);
  });
});

describe('screen data over a scored line (real job processes)', () => {
  let t: ReturnType<typeof tempDir>;
  let app: AppService;
  let projectId: number;

  beforeAll(async () => {
    t = tempDir();
    app = AppService.open(path.join(t.dir, 'ws'), { watchPolling: true });
    const root = path.join(t.dir, 'line');
    writeTinyLine(root, { trainPerMachine: 6, testPerMachine: 4 });
    projectId = (await app.call('projects/create', { name: 'Line S' })).id;
    await app.call('recordings/import', { projectId, sources: [path.join(root, 'train')], role: 'train' });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    await app.call('recordings/import', { projectId, sources: [path.join(root, 'test')], role: 'monitor' });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    expect(appInternals(app).ws.jobs.list({ status: ['failed'] }).map((j) => j.error)).toEqual([]);
  });
  afterAll(async () => {
    await app.close();
    t.cleanup();
  });

  it('monitoring/lineOverview: one card per machine, worst first, indices on the threshold scale', async () => {
    const o = await app.call('monitoring/lineOverview', { projectId });
    expect(o.model?.kind).toBe('mean-logmel');
    expect(o.machines).toHaveLength(2);
    const sev = { alarm: 3, watch: 2, ok: 1, 'no model': 0 };
    expect(sev[o.machines[0]!.status.state]).toBeGreaterThanOrEqual(sev[o.machines[1]!.status.state]);
    for (const card of o.machines) {
      expect(card.recent).toHaveLength(8);
      expect(card.scoredToday).toBe(8);
      expect(card.trainCount).toBe(6);
      const view = await app.call('thresholds/get', { machineId: card.machine.id });
      expect(card.scale!.heldoutMedian).toBeCloseTo(quantile(view.heldoutNormalScores, 0.5), 9);
      expect(card.threshold).toBe(view.threshold!.value);
      const last = card.recent.at(-1)!;
      expect(last.index).toBeCloseTo((last.clipScore - card.scale!.heldoutMedian) / (card.threshold! - card.scale!.heldoutMedian), 9);
      // Sparkline oldest first; the last point is the newest clip.
      expect(card.recent[0]!.recordingId).toBeLessThan(last.recordingId);
      expect(card.openAlarms).toBe(card.recent.filter((p) => p.alarmStatus === 'new' || p.alarmStatus === 'acknowledged').length);
      expect(card.status.state).toBe(card.openAlarms > 0 ? 'alarm' : card.status.state);
    }
    expect(o.openAlarms).toBe(o.machines.reduce((n, m) => n + m.openAlarms, 0));
  });

  it('monitoring/scoreSeries pages newest first without gaps or repeats', async () => {
    const machineId = (await app.call('machines/list', { projectId }))[0]!.id;
    const first = await app.call('monitoring/scoreSeries', { machineId, limit: 3 });
    expect(first.total).toBe(8);
    expect(first.items).toHaveLength(3);
    const ids = [...first.items.map((p) => p.recordingId)];
    let before = first.nextBefore;
    while (before !== null) {
      const page = await app.call('monitoring/scoreSeries', { machineId, limit: 3, before });
      ids.push(...page.items.map((p) => p.recordingId));
      before = page.nextBefore;
    }
    expect(ids).toHaveLength(8);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(new Set(ids).size).toBe(8);
  });

  it('monitoring/scoreDistribution: histogram counts add up, ROC from labelled clips, no clip rate from a burst', async () => {
    const machineId = (await app.call('machines/list', { projectId }))[0]!.id;
    const d = await app.call('monitoring/scoreDistribution', { machineId, bins: 20 });
    expect(d.edges).toHaveLength(21);
    expect(d.heldoutCounts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(d.monitoredCounts.reduce((a, b) => a + b, 0)).toBe(8);
    expect(d.labelled.normal).toHaveLength(4);
    expect(d.labelled.anomaly).toHaveLength(4);
    expect(d.roc!.anomalies).toBe(4);
    expect(d.roc!.normal).toBe(10);
    expect(d.roc!.auc).toBeGreaterThan(0.5);
    expect(d.roc!.fpr[0]).toBe(0);
    expect(d.roc!.tpr.at(-1)).toBe(1);
    // Imported within seconds: no honest clips-per-day figure.
    expect(d.clipsPerDay).toBeNull();
    expect(d.clipRateBasis.clips).toBe(8);
  });

  it('inspection/clip: deviation map and band profile from the normal profile, typical normal clip, flagged walk', async () => {
    const machines = await app.call('machines/list', { projectId });
    const fan = machines.find((m) => m.type === 'fan')!;
    const page = await app.call('recordings/list', { projectId, machineId: fan.id, role: 'monitor', limit: 50 });
    const anomaly = page.items.find((r) => r.fileName.startsWith('anomaly'))!;
    const normal = page.items.find((r) => r.fileName.startsWith('normal'))!;
    const a = await app.call('inspection/clip', { recordingId: anomaly.id, maxColumns: 40 });
    const n = await app.call('inspection/clip', { recordingId: normal.id, maxColumns: 40 });
    expect(a.deviation.bandsHz).toHaveLength(128);
    expect(a.deviation.columnStartS.length).toBeLessThanOrEqual(40);
    expect(a.deviation.values).toHaveLength(a.deviation.columnStartS.length * 128);
    expect(a.deviation.bandsHz[0]).toBeGreaterThan(0);
    expect(a.deviation.bandsHz[127]).toBeLessThan(8000);
    // The anomaly departs from normal much more than a normal clip does.
    const meanAbs = (xs: number[]) => xs.reduce((s, x) => s + Math.abs(x), 0) / xs.length;
    expect(meanAbs(a.bandProfile.deviation)).toBeGreaterThan(2 * meanAbs(n.bandProfile.deviation));
    expect(a.normalClipCount).toBe(6);
    expect(a.score!.windowScores.length).toBeGreaterThan(0);
    expect(a.score!.clipScore).toBe(Math.max(...a.score!.windowScores));
    expect(a.score!.index).toBeCloseTo(healthIndex(a.score!.clipScore, a.scale!)!, 9);
    // The typical normal clip is a training clip of the same machine with the held-out score nearest the median.
    const typical = appInternals(app).ws.recordings.get(a.typicalNormal!.recordingId)!;
    expect(typical.machineId).toBe(fan.id);
    expect(typical.role).toBe('train');
    const view = await app.call('thresholds/get', { machineId: fan.id });
    const median = quantile(view.heldoutNormalScores, 0.5);
    const nearest = Math.min(...view.heldoutNormalScores.map((s) => Math.abs(s - median)));
    expect(Math.abs(a.typicalNormal!.clipScore - median)).toBeCloseTo(nearest, 9);
    // Flagged clips: exactly the machine's clips with an alarm, newest first.
    const alarms = await app.call('alarms/list', { projectId, machineId: fan.id });
    expect([...a.flaggedRecordingIds].sort()).toEqual(alarms.map((x) => x.recordingId).sort());
    if (a.alarm) expect(a.alarm.recordingId).toBe(anomaly.id);
  });

  it('inspection/clip of a file changed since import is a conflict naming the file', async () => {
    const machines = await app.call('machines/list', { projectId });
    const pump = machines.find((m) => m.type === 'pump')!;
    // A recording registered but never cached: import a new clip, then overwrite it before inspection.
    const extra = path.join(t.dir, 'extra', 'pump_id_00', 'normal_x.wav');
    writeToneWav(extra, { freqHz: 1200, seed: 999 });
    const job = await app.call('recordings/import', {
      projectId,
      sources: [extra],
      mapping: 'single-machine',
      machine: { type: pump.type, name: pump.name },
      role: 'monitor',
    });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    expect(appInternals(app).ws.jobs.get(job.id)!.status).toBe('succeeded');
    const rec = (await app.call('recordings/list', { projectId, machineId: pump.id, limit: 100 })).items.find(
      (r) => r.fileName === 'normal_x.wav',
    )!;
    // Drop the cached features of that content, then change the file.
    const cacheFile = fs
      .readdirSync(path.join(appInternals(app).ws.cacheDir), { recursive: true, withFileTypes: true })
      .find((d) => d.isFile() && d.name.startsWith(rec.contentHash));
    if (cacheFile) fs.rmSync(path.join(cacheFile.parentPath, cacheFile.name));
    writeToneWav(extra, { freqHz: 1500, seed: 5 });
    const err = await app.call('inspection/clip', { recordingId: rec.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('conflict');
    expect((err as ApiError).message).toMatch(/changed since import/);
    expect((err as ApiError).message).toContain('normal_x.wav');
  });
});
