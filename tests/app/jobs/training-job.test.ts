import { LEARNED_CANDIDATES } from '../../../src/engine/detectors/label-free.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import { tempDir, waitForIdle, writeTinyLine } from '../helpers/workspace.ts';
import { gateReached } from '../../../src/app/jobs/test-gate.ts';

let t: ReturnType<typeof tempDir>;
let app: AppService;

beforeEach(() => {
  t = tempDir();
  app = AppService.open(path.join(t.dir, 'ws'), { watch: false });
});
afterEach(async () => {
  delete process.env.AUSCULT_TEST_GATE_DIR;
  delete process.env.AUSCULT_TEST_GATE_AFTER;
  await app.close();
  t.cleanup();
});

describe('training job (real job process, tiny data)', () => {
  it('survives SIGKILL mid-training: job failed with the reason, model resumable from its checkpoint, then scores with its chosen learned back-end', async () => {
    const root = path.join(t.dir, 'line');
    writeTinyLine(root, { trainPerMachine: 4, testPerMachine: 2 });
    const p = await app.call('projects/create', { name: 'train' });
    await app.call('recordings/import', { projectId: p.id, sources: [path.join(root, 'train')] });
    await app.call('recordings/import', {
      projectId: p.id,
      sources: [path.join(root, 'test')],
      role: 'monitor',
    });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);

    // Quick preset checkpoints every 5 epochs: the job pauses after epoch 6 (test gate), after
    // the checkpoint of epoch 5, and is killed there.
    const gateDir = path.join(t.dir, 'gate');
    fs.mkdirSync(gateDir);
    process.env.AUSCULT_TEST_GATE_DIR = gateDir;
    process.env.AUSCULT_TEST_GATE_AFTER = '6';
    const { model, job } = await app.call('models/train', {
      projectId: p.id,
      subclusters: 2,
      preset: 'quick',
      epochs: 8,
      seed: 3,
    });
    await expect(app.call('models/train', { projectId: p.id })).rejects.toMatchObject({ code: 'conflict' });
    expect(await gateReached(gateDir, job.id)).toBe(6);
    delete process.env.AUSCULT_TEST_GATE_DIR;
    delete process.env.AUSCULT_TEST_GATE_AFTER;
    expect(fs.existsSync(path.join(model.dir!, 'checkpoint', 'model.json'))).toBe(true);
    const pid = (
      appInternals(app).ws.db.prepare('SELECT worker_pid AS pid FROM job WHERE id = ?').get(job.id) as { pid: number }
    ).pid;
    process.kill(pid, 'SIGKILL');
    const killed = await appInternals(app).jobs.waitFor(job.id);
    expect(killed.status).toBe('failed');
    expect(killed.error).toMatch(/killed by SIGKILL/);
    expect(appInternals(app).ws.models.get(model.id)!.status).toBe('failed');
    expect(appInternals(app).ws.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(appInternals(app).ws.projects.get(p.id)!.activeModelId).toBeNull();

    const resumed = await app.call('models/resume', { modelId: model.id });
    const done = await appInternals(app).jobs.waitFor(resumed.job.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result).toMatchObject({ resumed: true, epochsDone: 8, classes: ['fan_id_00', 'pump_id_00'] });
    // The job's log names the backend and its thread count (vitest pins 1 wasm thread).
    expect(done.log).toMatch(/TensorFlow\.js: (wasm|tensorflow|cpu), \d+ threads?/);
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    // The line is rescored with the trained model; the promotion gate decided whether it became
    // active (on these labelled clips it depends on the training), else it is activated by hand.
    const promotion = appInternals(app).ws.models.get(model.id)!.metrics!.promotion as { activated: boolean };
    expect(promotion).toMatchObject({ activated: expect.any(Boolean), reason: expect.any(String) });
    expect(appInternals(app).ws.projects.get(p.id)!.activeModelId).toBe(promotion.activated ? model.id : null);
    if (!promotion.activated) {
      await app.call('models/activate', { projectId: p.id, modelId: model.id });
      await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    }
    const summary = await app.call('dashboard/summary', { projectId: p.id });
    const jobLogs = JSON.stringify(
      appInternals(app).ws.jobs.list({}).map((j) => [j.id, j.kind, j.status, j.params, j.result, j.log]),
    );
    for (const m of summary.machines) {
      // Each machine is scored by the learned back-end chosen for it (GMM or nearest neighbours).
      expect(m, jobLogs).toMatchObject({ scoredCount: 4, threshold: expect.any(Number) });
      expect(LEARNED_CANDIDATES).toContain(m.backend);
      expect(m.detector?.kind).toBe(m.backend);
    }
    // Rescoring with the new model does not flag a clip twice.
    expect(
      appInternals(app).ws.db.prepare('SELECT recording_id FROM alarm GROUP BY recording_id HAVING count(*) > 1').all(),
    ).toEqual([]);
    const cmp = await app.call('models/compare', {
      projectId: p.id,
      modelA: appInternals(app).ws.models.baseline(p.id)!.id,
      modelB: model.id,
    });
    // Both models on the same 4 labelled monitor clips per machine (2 normal, 2 with a strong 3 kHz
    // whine): the whine is far outside the normal clips' spectra, so each model ranks every
    // anomaly above every normal clip of its machine.
    for (const m of cmp.machines) {
      expect(m).toMatchObject({ clips: 4, anomalies: 2 });
      expect(m.auc, jobLogs).toEqual([1, 1]);
    }
  }, 1_200_000); // two trainings and three scoring runs: many minutes on a loaded 2-core machine

  it('marks a training left running by a dead application interrupted at the next open, and lets it resume', async () => {
    const dir = path.join(t.dir, 'restart');
    const first = AppService.open(dir, { watch: false });
    const p = appInternals(first).ws.projects.create({ name: 'restart' });
    for (const name of ['id_00', 'id_01']) appInternals(first).ws.machines.ensure(p.id, 'fan', name);
    const model = appInternals(first).ws.models.create({
      projectId: p.id,
      name: 'm',
      kind: 'sc-adacos',
      subclusters: 2,
      preset: 'quick',
      status: 'training',
      dir: appInternals(first).ws.modelDir(1),
    });
    const job = appInternals(first).ws.jobs.create({ projectId: p.id, kind: 'train', params: { modelId: model.id } });
    // As if the application and its job process had died: pids that cannot exist.
    appInternals(first).ws.jobs.markRunning(job.id, 2 ** 22 + 11, 2 ** 22 + 13);
    await first.close();

    const second = AppService.open(dir, { watch: false });
    try {
      expect(appInternals(second).ws.jobs.get(job.id)).toMatchObject({
        status: 'interrupted',
        error: expect.stringMatching(/interrupted/),
      });
      expect(appInternals(second).ws.models.get(model.id)!.status).toBe('interrupted');
      // Resuming is accepted (the job itself is not run here: no training data).
      const r = await second.call('models/resume', { modelId: model.id });
      expect(r.model.status).toBe('queued');
      await appInternals(second).jobs.waitFor(r.job.id);
    } finally {
      await second.close();
    }
  });
});
