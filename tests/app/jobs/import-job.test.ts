import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { Workspace } from '../../../src/app/workspace.ts';
import { JobManager } from '../../../src/app/jobs/job-manager.ts';
import { REAL_DATA_DIR } from '../../helpers/shared.ts';
import { tempDir, writeToneWav } from '../helpers/workspace.ts';
import { fakeUtilityProcess } from '../helpers/fake-utility-process.ts';
import { utilityProcessLauncher } from '../../../src/app/jobs/utility-process-launcher.ts';
import { gateReached } from '../../../src/app/jobs/test-gate.ts';

/** Makes job processes started from now on pause after their n-th unit of work (see test-gate.ts). */
function withTestGate(n: number): { dir: string; off: () => void } {
  const dir = path.join(t.dir, `gate-${n}`);
  fs.mkdirSync(dir, { recursive: true });
  process.env.AUSCULT_TEST_GATE_DIR = dir;
  process.env.AUSCULT_TEST_GATE_AFTER = String(n);
  const off = () => {
    delete process.env.AUSCULT_TEST_GATE_DIR;
    delete process.env.AUSCULT_TEST_GATE_AFTER;
  };
  gateOff = off;
  return { dir, off };
}
let gateOff: (() => void) | undefined;

let t: ReturnType<typeof tempDir>;
let ws: Workspace;
let jobs: JobManager | undefined;

beforeEach(() => {
  t = tempDir();
  ws = Workspace.open(path.join(t.dir, 'ws'));
});
afterEach(async () => {
  gateOff?.();
  await jobs?.close();
  jobs = undefined;
  ws.close();
  t.cleanup();
});

describe('import job (real job process)', () => {
  it('imports good files, lists every broken file with its error, and de-duplicates by content', async () => {
    const src = path.join(t.dir, 'in');
    for (let i = 0; i < 4; i++) writeToneWav(path.join(src, 'fan_id_00', `normal_${i}.wav`), { seed: i + 1 });
    writeToneWav(path.join(src, 'pump_id_01', 'anomaly_0.wav'), { seed: 99, freqHz: 900 });
    fs.copyFileSync(
      path.join(src, 'fan_id_00', 'normal_0.wav'),
      path.join(src, 'fan_id_00', 'copy_of_0.wav'),
    );
    fs.writeFileSync(path.join(src, 'fan_id_00', 'broken.wav'), 'this is not audio');
    const good = fs.readFileSync(path.join(src, 'fan_id_00', 'normal_1.wav'));
    fs.writeFileSync(path.join(src, 'fan_id_00', 'truncated.wav'), good.subarray(0, 30));
    fs.writeFileSync(path.join(src, 'fan_id_00', 'notes.txt'), 'ignored: not a recording');
    // A real 8-channel WAVE_FORMAT_EXTENSIBLE MIMII recording.
    const real = path.join(REAL_DATA_DIR, 'mimii-8ch', 'fan_id_00', 'normal_00000005.wav');

    const p = ws.projects.create({ name: 'line' });
    jobs = new JobManager(ws);
    const job = jobs.enqueue(
      'import',
      { projectId: p.id, sources: [src, real, path.join(t.dir, 'missing')], copy: true },
      p.id,
    );
    const done = await jobs.waitFor(job.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    // The counts add up: found = imported + duplicates + failed; the missing folder is a source problem.
    expect(done.result).toMatchObject({
      found: 9,
      imported: 6,
      duplicates: 1,
      failed: 2,
      unreadableSources: 1,
    });

    const errors = ws.recordings.importErrors({ projectId: p.id, jobId: job.id });
    expect(errors.map((e) => path.basename(e.path)).sort()).toEqual([
      'broken.wav',
      'missing',
      'truncated.wav',
    ]);
    for (const e of errors) expect(e.error).toContain(e.path);

    const machines = ws.machines.list(p.id).map((m) => `${m.type}/${m.name}`);
    expect(machines).toEqual(['fan/id_00', 'pump/id_01']);
    const recs = ws.recordings.list({ projectId: p.id });
    expect(recs).toHaveLength(6);
    const mimii = recs.find((r) => r.originalPath === real)!;
    expect(mimii.format).toMatchObject({
      container: 'wav',
      channels: 8,
      sampleRateHz: 16000,
      bitsPerSample: 16,
    });
    expect(mimii.durationS).toBeCloseTo(10, 1);
    expect(mimii.storage).toBe('copied');
    expect(fs.readFileSync(mimii.path).equals(fs.readFileSync(real))).toBe(true);
    expect(recs.find((r) => r.fileName === 'anomaly_0.wav')!.label).toBe('anomaly');

    // Importing the same folder again adds nothing.
    const again = await jobs.waitFor(jobs.enqueue('import', { projectId: p.id, sources: [src] }, p.id).id);
    expect(again.status).toBe('succeeded');
    expect(again.result).toMatchObject({ found: 8, imported: 0, duplicates: 6, failed: 2 });
    expect(ws.recordings.count(p.id)).toBe(6);
  });

  it('recognises the DCASE layout (type, id, split, label) and references files in place', async () => {
    const root = path.join(t.dir, 'dcase');
    writeToneWav(path.join(root, 'valve', 'train', 'normal_id_02_00000000.wav'), { seed: 1 });
    writeToneWav(path.join(root, 'valve', 'test', 'anomaly_id_02_00000000.wav'), { seed: 2 });
    writeToneWav(path.join(root, 'valve', 'test', 'id_04_00000001.wav'), { seed: 3 });
    const p = ws.projects.create({ name: 'dcase' });
    jobs = new JobManager(ws);
    const done = await jobs.waitFor(jobs.enqueue('import', { projectId: p.id, sources: [root] }, p.id).id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    const recs = ws.recordings.list({ projectId: p.id });
    const view = recs.map((r) => [
      r.fileName,
      ws.machines.get(r.machineId)!.name,
      r.role,
      r.label,
      r.storage,
    ]);
    expect(view).toEqual([
      ['anomaly_id_02_00000000.wav', 'id_02', 'test', 'anomaly', 'referenced'],
      ['id_04_00000001.wav', 'id_04', 'test', 'unknown', 'referenced'],
      ['normal_id_02_00000000.wav', 'id_02', 'train', 'normal', 'referenced'],
    ]);
    expect(recs[2]!.path).toBe(path.join(root, 'valve', 'train', 'normal_id_02_00000000.wav'));
  });

  // The job process pauses after its N-th file (test gate, src/app/jobs/test-gate.ts): the kill and
  // the cancel arrive at exactly that point however fast or loaded the machine is.
  it('marks a job failed with the reason when its process is SIGKILLed mid-import; the database stays consistent', async () => {
    const src = path.join(t.dir, 'many');
    for (let i = 0; i < 12; i++) writeToneWav(path.join(src, 'fan', `c${i}.wav`), { seed: i + 1 });
    const p = ws.projects.create({ name: 'kill' });
    const gate = withTestGate(5);
    jobs = new JobManager(ws);
    const job = jobs.enqueue('import', { projectId: p.id, sources: [src], copy: true }, p.id);
    expect(await gateReached(gate.dir, job.id)).toBe(5);
    gate.off(); // jobs started from now on run through
    const pid = ws.jobs.running().find((j) => j.id === job.id)!.workerPid!;
    process.kill(pid, 'SIGKILL');
    const done = await jobs.waitFor(job.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/killed by SIGKILL/);
    expect(ws.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(ws.db.pragma('foreign_key_check')).toEqual([]);
    expect(ws.recordings.count(p.id)).toBe(5);
    for (const r of ws.recordings.list({ projectId: p.id })) expect(fs.existsSync(r.path)).toBe(true);

    // Re-running the import completes it without duplicates.
    const rerun = await jobs.waitFor(
      jobs.enqueue('import', { projectId: p.id, sources: [src], copy: true }, p.id).id,
    );
    expect(ws.recordings.importErrors({ projectId: p.id })).toEqual([]);
    expect(rerun.result).toMatchObject({ found: 12, imported: 7, duplicates: 5, failed: 0 });
  });

  it('cancels a running import at the next file', async () => {
    const src = path.join(t.dir, 'cancel');
    for (let i = 0; i < 8; i++) writeToneWav(path.join(src, 'fan', `c${i}.wav`), { seed: i + 1 });
    const p = ws.projects.create({ name: 'cancel' });
    const gate = withTestGate(3);
    jobs = new JobManager(ws);
    const job = jobs.enqueue('import', { projectId: p.id, sources: [src] }, p.id);
    await gateReached(gate.dir, job.id);
    jobs.cancel(job.id);
    const done = await jobs.waitFor(job.id);
    gate.off();
    expect(done.status).toBe('cancelled');
    expect(done.error).toMatch(/cancelled/);
    expect(ws.recordings.count(p.id)).toBe(3);
  });

  // The cause of the old "rescoring count 3 of 4" flake: a file's insert ran in a deferred
  // transaction that read first (find the machine) and then wrote; when the application process
  // committed a write in between (job progress), SQLite refused at once with "database is
  // locked" and the file counted as failed. Writes now take the lock at BEGIN (IMMEDIATE).
  it('imports every file while the application writes to the database all the time', async () => {
    const src = path.join(t.dir, 'busy');
    for (let i = 0; i < 40; i++)
      writeToneWav(path.join(src, 'fan', `c${i}.wav`), { seed: i + 1, durationS: 1 });
    const p = ws.projects.create({ name: 'busy' });
    jobs = new JobManager(ws);
    const writer = setInterval(() => {
      for (let k = 0; k < 20; k++)
        ws.audit.write({ actor: 'test', action: 'busy', entity: 'project', entityId: p.id });
    }, 1);
    try {
      const done = await jobs.waitFor(jobs.enqueue('import', { projectId: p.id, sources: [src] }, p.id).id);
      const why = JSON.stringify(ws.recordings.importErrors({ projectId: p.id }).slice(0, 3));
      expect(done.result, why).toMatchObject({ found: 40, imported: 40, failed: 0 });
    } finally {
      clearInterval(writer);
    }
  });

  it('marks jobs left running by a dead application as interrupted at the next open', () => {
    const p = ws.projects.create({ name: 'restart' });
    const j = ws.jobs.create({ projectId: p.id, kind: 'import', params: {} });
    // A pid that cannot exist: the owner and worker are gone.
    ws.jobs.markRunning(j.id, 2 ** 22 + 17, 2 ** 22 + 19);
    jobs = new JobManager(ws);
    const after = ws.jobs.get(j.id)!;
    expect(after.status).toBe('interrupted');
    expect(after.error).toMatch(/interrupted/);
  });

  it('runs jobs through an injected launcher (the utilityProcess adapter)', async () => {
    const src = path.join(t.dir, 'via-launcher');
    for (let i = 0; i < 3; i++) writeToneWav(path.join(src, 'fan_id_00', `normal_${i}.wav`), { seed: i + 1 });
    const p = ws.projects.create({ name: 'launcher' });
    jobs = new JobManager(ws, { launcher: utilityProcessLauncher(fakeUtilityProcess) });
    const done = await jobs.waitFor(jobs.enqueue('import', { projectId: p.id, sources: [src] }, p.id).id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    const why = JSON.stringify([done.log, ws.recordings.importErrors({ projectId: p.id })]);
    expect(done.result, why).toMatchObject({ found: 3, imported: 3 });
  });
});
