import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import { HOLD_AFTER_EPOCH_ENV } from '../../../src/app/services/training.ts';
import { trainingHistory } from '../../../src/app/services/training-history.ts';
import type { TrainingEpoch } from '../../../src/shared/domain.ts';
import { tempDir, waitForIdle, writeTinyLine } from '../helpers/workspace.ts';

let t: ReturnType<typeof tempDir>;
let app: AppService;

beforeEach(() => {
  t = tempDir();
  // Job processes inherit the environment: the training holds after epoch 5 (after the quick
  // preset's checkpoint) until it is cancelled — the deterministic cancel point.
  process.env[HOLD_AFTER_EPOCH_ENV] = '5';
  app = AppService.open(path.join(t.dir, 'ws'), { watch: false });
});
afterEach(async () => {
  delete process.env[HOLD_AFTER_EPOCH_ENV];
  await app.close();
  t.cleanup();
});

describe('per-epoch training metrics (real job process, tiny data)', () => {
  // Import, two training runs and three scoring runs in real processes: minutes on a loaded machine.
  it('announces every epoch as an event, keeps them with the model, and a retried run continues the history from the checkpoint', { timeout: 480_000 }, async () => {
    const { jobs, ws } = appInternals(app);
    const root = path.join(t.dir, 'line');
    writeTinyLine(root, { trainPerMachine: 3, testPerMachine: 0 });
    const p = await app.call('projects/create', { name: 'train' });
    await app.call('recordings/import', { projectId: p.id, sources: [path.join(root, 'train')] });
    await waitForIdle(jobs, ws);

    const events: TrainingEpoch[] = [];
    app.on('trainingEpoch', (e) => events.push(e));
    const { model, job } = await app.call('models/train', {
      projectId: p.id,
      subclusters: 2,
      preset: 'quick',
      epochs: 7,
      seed: 3,
    });
    await new Promise<void>((resolve) => {
      const off = app.on('trainingEpoch', (e) => {
        if (e.epoch === 5) {
          off();
          resolve();
        }
      });
    });
    // Held after epoch 5: cancel it there.
    await app.call('jobs/cancel', { jobId: job.id });
    const cancelled = await jobs.waitFor(job.id);
    expect(cancelled.status).toBe('cancelled');
    expect(events.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    for (const e of events) {
      expect(e).toMatchObject({ jobId: job.id, modelId: model.id, projectId: p.id, epochs: 7 });
      expect(e.loss).toBeGreaterThan(0);
      expect(e.scale).toBeGreaterThan(0);
      expect(e.samplesPerS).toBeGreaterThan(0);
    }
    const interrupted = (await app.call('models/list', { projectId: p.id })).find((m) => m.id === model.id)!;
    expect(interrupted.status).toBe('interrupted');
    expect(trainingHistory(interrupted.metrics)).toEqual(events);

    // Retry = resume from the checkpoint of epoch 5: epochs 6 and 7 are added, 1–5 kept.
    const retried = await app.call('jobs/retry', { jobId: job.id });
    expect(retried.kind).toBe('train');
    const done = await jobs.waitFor(retried.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result).toMatchObject({ resumed: true, epochsDone: 7 });
    expect(events.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events.slice(5).every((e) => e.jobId === retried.id)).toBe(true);
    const trained = ws.models.get(model.id)!;
    expect(trainingHistory(trained.metrics)).toEqual(events);
    await expect(app.call('jobs/retry', { jobId: retried.id })).rejects.toMatchObject({ code: 'conflict' });

    // The plan now knows this machine's training speed and prices every preset with it.
    const plan = await app.call('models/trainingPlan', { projectId: p.id });
    expect(plan.throughput?.modelId).toBe(model.id);
    expect(plan.presets.every((x) => x.estimateS !== null && x.estimateS > 0)).toBe(true);
    await waitForIdle(jobs, ws);
  });
});
