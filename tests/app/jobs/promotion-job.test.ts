import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import type { ModelComparison } from '../../../src/shared/api.ts';
import { tempDir, waitForIdle, writeTinyLine } from '../helpers/workspace.ts';

let t: ReturnType<typeof tempDir>;
let app: AppService | undefined;

beforeEach(() => {
  t = tempDir();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  t.cleanup();
});

/** Models whose scores raised the project's alarms. */
function alarmModels(app: AppService, projectId: number): number[] {
  return (
    appInternals(app).ws.db
      .prepare(
        'SELECT DISTINCT s.model_id AS m FROM alarm a JOIN score s ON s.id = a.score_id JOIN recording r ON r.id = a.recording_id WHERE r.project_id = ?',
      )
      .all(projectId) as { m: number }[]
  ).map((r) => r.m);
}

/** A tiny line imported and scored by the baseline, then one quick training (2 epochs). */
async function trainTinyLine(
  opts: { monitorLabel?: 'normal'; promotionComparison?: (c: ModelComparison) => ModelComparison } = {},
) {
  app = AppService.open(path.join(t.dir, 'ws'), {
    watch: false,
    promotionComparison: opts.promotionComparison,
  });
  const root = path.join(t.dir, 'line');
  writeTinyLine(root, { trainPerMachine: 4, testPerMachine: 2 });
  const p = await app.call('projects/create', { name: 'gate' });
  await app.call('recordings/import', { projectId: p.id, sources: [path.join(root, 'train')] });
  await app.call('recordings/import', {
    projectId: p.id,
    sources: [path.join(root, 'test')],
    role: 'monitor',
    ...(opts.monitorLabel ? { label: opts.monitorLabel } : {}),
  });
  await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
  const { model } = await app.call('models/train', {
    projectId: p.id,
    subclusters: 1,
    preset: 'quick',
    epochs: 2,
    seed: 3,
  });
  await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
  expect(appInternals(app).ws.jobs.list({ status: ['failed'] }).map((j) => j.error)).toEqual([]);
  return {
    app,
    projectId: p.id,
    model: (await app.call('models/list', { projectId: p.id })).find((m) => m.id === model.id)!,
  };
}

describe('promotion gate after training (real job processes)', () => {
  it('keeps the active baseline when the new model loses on the labelled monitor clips, and says why', async () => {
    const seen: ModelComparison[] = [];
    const { app, projectId, model } = await trainTinyLine({
      // The real comparison, with the new model's AUC made worse: the outcome does not depend on training.
      promotionComparison: (c) => {
        seen.push(c);
        // First training: worse than the baseline; second: a tie with the model activated by hand.
        const [auc, pauc]: [number, number][] =
          seen.length === 1
            ? [
                [0.9, 0.6],
                [0.8, 0.7],
              ]
            : [
                [0.8, 0.8],
                [0.7, 0.7],
              ];
        return { ...c, machines: c.machines.map((m) => ({ ...m, auc, pauc })) };
      },
    });
    const baseline = appInternals(app).ws.models.baseline(projectId)!;
    // Compared on the real labelled clips: baseline (A) vs the new model (B), both labels per machine.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.models.map((m) => m.id)).toEqual([baseline.id, model.id]);
    for (const m of seen[0]!.machines) expect(m).toMatchObject({ clips: 4, anomalies: 2 });

    expect(appInternals(app).ws.projects.get(projectId)!.activeModelId).toBeNull();
    const summary = await app.call('dashboard/summary', { projectId });
    expect(summary.activeModel!.id).toBe(baseline.id);
    // The new model scored the clips all the same (for comparison and manual activation).
    expect(
      appInternals(app).ws.scores
        .forRecording(appInternals(app).ws.recordings.list({ projectId, role: 'monitor' })[0]!.id)
        .map((s) => s.modelId),
    ).toContain(model.id);
    expect(model.metrics!.promotion).toMatchObject({
      activated: false,
      activeModelId: baseline.id,
      candidateModelId: model.id,
      active: { auc: 0.9, pauc: 0.8 },
      candidate: { auc: 0.6, pauc: 0.7 },
      machines: 2,
      reason: expect.stringMatching(
        /^worse: mean AUC 60\.0 \/ pAUC 70\.0 vs 90\.0 \/ 80\.0 of model \d+ \(baseline\)/,
      ),
    });
    const audit = (await app.call('audit/list', { entity: 'project', entityId: projectId })).find(
      (e) => e.action === 'keep-active-model',
    );
    expect(audit).toMatchObject({
      actor: 'system',
      details: {
        activated: false,
        modelId: baseline.id,
        candidateModelId: model.id,
        candidate: { auc: 0.6 },
      },
    });
    // Its scores raised no alarms: only the active model's do.
    expect(alarmModels(app, projectId)).not.toContain(model.id);
    // Activating by hand still works.
    await app.call('models/activate', { projectId, modelId: model.id }, 'tester');
    expect(appInternals(app).ws.projects.get(projectId)!.activeModelId).toBe(model.id);
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);

    // A model activated by hand is replaced only by a strictly better one: a tie keeps it.
    const second = await app.call('models/train', { projectId, subclusters: 1, epochs: 1, seed: 4 });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    expect(seen[1]!.models.map((m) => m.id)).toEqual([model.id, second.model.id]);
    expect(appInternals(app).ws.projects.get(projectId)!.activeModelId).toBe(model.id);
    expect(appInternals(app).ws.models.get(second.model.id)!.metrics!.promotion).toMatchObject({
      activated: false,
      deliberate: true,
      reason: expect.stringMatching(/^not better than model \d+, activated by hand/),
    });
  }, 300_000);

  it('activates the new model when no monitor clip is labelled anomalous', async () => {
    const { app, projectId, model } = await trainTinyLine({ monitorLabel: 'normal' });
    expect(appInternals(app).ws.projects.get(projectId)!.activeModelId).toBe(model.id);
    expect(model.metrics!.promotion).toMatchObject({
      activated: true,
      candidate: null,
      reason: 'no labelled normal and anomalous test/monitor clips to compare on',
    });
    const audit = (await app.call('audit/list', { entity: 'project', entityId: projectId })).find(
      (e) => e.action === 'activate-model',
    );
    expect(audit).toMatchObject({ actor: 'system', details: { modelId: model.id, activated: true } });
    const summary = await app.call('dashboard/summary', { projectId });
    for (const m of summary.machines) expect(m).toMatchObject({ backend: 'gmm', scoredCount: 4 });
    // Once active, every clip at or above its threshold under the new model has an alarm.
    const over = appInternals(app).ws.db
      .prepare(
        `SELECT r.id FROM score s JOIN recording r ON r.id = s.recording_id
           JOIN threshold th ON th.machine_id = r.machine_id AND th.model_id = s.model_id AND th.active = 1
          WHERE s.model_id = ? AND r.role = 'monitor' AND s.clip_score >= th.value`,
      )
      .all(model.id) as { id: number }[];
    const flagged = new Set((await app.call('alarms/list', { projectId })).map((a) => a.recordingId));
    for (const r of over) expect(flagged.has(r.id)).toBe(true);
  }, 300_000);
});
