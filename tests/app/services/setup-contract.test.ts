import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import { windowsOfClip } from '../../../src/app/services/training-plan.ts';
import { MIN_TRAINING_CLIPS } from '../../../src/shared/api.ts';
import { tempDir, waitForIdle, writeTinyLine, writeToneWav } from '../helpers/workspace.ts';

let t: ReturnType<typeof tempDir>;
let app: AppService;

beforeEach(() => {
  t = tempDir();
  app = AppService.open(path.join(t.dir, 'ws'), { watch: false });
});
const ws = () => appInternals(app).ws;
afterEach(async () => {
  await app.close();
  t.cleanup();
});

/** Folder-per-machine recordings, one copy of a file, and a broken "WAV". */
function writeImportFolder(root: string): void {
  for (let i = 0; i < 3; i++) {
    writeToneWav(path.join(root, 'fan_id_00', `normal_${i}.wav`), { freqHz: 300, seed: i + 1 });
    writeToneWav(path.join(root, 'pump_id_00', `normal_${i}.wav`), { freqHz: 1200, seed: i + 11 });
  }
  fs.copyFileSync(
    path.join(root, 'fan_id_00', 'normal_0.wav'),
    path.join(root, 'fan_id_00', 'copy_of_0.wav'),
  );
  fs.writeFileSync(path.join(root, 'pump_id_00', 'broken.wav'), 'RIFF....not audio at all');
  fs.writeFileSync(path.join(root, 'pump_id_00', 'notes.txt'), 'not a recording');
}

describe('recordings/importPreview', () => {
  it('shows mapping, duplicates and failing files without writing anything, and the import honours group corrections', async () => {
    const root = path.join(t.dir, 'in');
    writeImportFolder(root);
    const p = await app.call('projects/create', { name: 'line' });
    await app.call('machines/create', { projectId: p.id, type: 'fan', name: 'id_00' });
    const preview = await app.call('recordings/importPreview', { projectId: p.id, sources: [root] });

    expect(preview).toMatchObject({ found: 8, willImport: 6, duplicates: 1, willFail: 1, checked: 8 });
    expect(preview.found).toBe(preview.willImport + preview.duplicates + preview.willFail);
    expect(preview.layouts).toEqual(['folder']);
    expect(preview.failures).toEqual([
      { path: path.join(root, 'pump_id_00', 'broken.wav'), error: expect.stringContaining('broken.wav') },
    ]);
    expect(preview.duplicateFiles).toEqual([
      {
        path: path.join(root, 'fan_id_00', 'normal_0.wav'),
        of: path.join(root, 'fan_id_00', 'copy_of_0.wav'),
      },
    ]);
    const byMachine = Object.fromEntries(
      preview.groups.map((g) => [`${g.machine.type}/${g.machine.name}`, g]),
    );
    expect(byMachine['fan/id_00']).toMatchObject({
      files: 4,
      duplicates: 1,
      failing: 0,
      role: 'train',
      label: 'normal',
    });
    expect(byMachine['fan/id_00']!.machine.exists).toBe(true);
    expect(byMachine['fan/id_00']!.durationS).toBeCloseTo(6, 3);
    expect(byMachine['pump/id_00']).toMatchObject({ files: 4, failing: 1, machine: { exists: false } });
    expect(preview.newMachines).toEqual([{ type: 'pump', name: 'id_00' }]);
    // A dry run: nothing stored.
    expect((await app.call('recordings/list', { projectId: p.id })).total).toBe(0);
    expect(ws().machines.list(p.id)).toHaveLength(1);

    // The person corrects the pump group: it is a compressor, and these clips are test clips.
    const pumpKey = byMachine['pump/id_00']!.key;
    const corrected = await app.call('recordings/importPreview', {
      projectId: p.id,
      sources: [root],
      groups: [{ key: pumpKey, machine: { type: 'compressor', name: 'c1' }, role: 'test' }],
    });
    const fixedGroup = corrected.groups.find((g) => g.key === pumpKey)!;
    expect(fixedGroup).toMatchObject({
      machine: { type: 'compressor', name: 'c1' },
      role: 'test',
      mappedBy: 'given',
    });

    const job = await app.call('recordings/import', {
      projectId: p.id,
      sources: [root],
      groups: [{ key: pumpKey, machine: { type: 'compressor', name: 'c1' }, role: 'test' }],
    });
    const done = await appInternals(app).jobs.waitFor(job.id);
    expect(done.result, JSON.stringify([done.result, done.log])).toMatchObject({
      imported: 6,
      duplicates: 1,
      failed: 1,
    });
    const machines = ws()
      .machines.list(p.id)
      .map((m) => `${m.type}/${m.name}`);
    expect(machines).toEqual(['compressor/c1', 'fan/id_00']);
    const compressor = ws()
      .machines.list(p.id)
      .find((m) => m.type === 'compressor')!;
    const rows = await app.call('recordings/list', { projectId: p.id, machineId: compressor.id });
    expect(rows.items.map((r) => r.role)).toEqual(['test', 'test', 'test']);
    await waitForIdle(appInternals(app).jobs, ws());

    // Previewing the same folder again: everything that imported is now a duplicate of the line.
    const again = await app.call('recordings/importPreview', { projectId: p.id, sources: [root] });
    expect(again).toMatchObject({ willImport: 0, duplicates: 7, willFail: 1 });
    expect(again.duplicateFiles[0]!.of).toMatch(/already in the line/);
  });

  it('reports a missing source as a failure naming it', async () => {
    const p = await app.call('projects/create', { name: 'line' });
    const missing = path.join(t.dir, 'nope');
    const preview = await app.call('recordings/importPreview', { projectId: p.id, sources: [missing] });
    expect(preview).toMatchObject({ found: 0, willImport: 0, willFail: 0, unreadableSources: 1 });
    expect(preview.failures[0]!.error).toContain(missing);
  });
});

describe('files/listFolder', () => {
  it('lists sub-folders and counts audio files, inside the roots only (symlinks resolved)', async () => {
    const root = path.join(t.dir, 'roots', 'plant');
    writeImportFolder(path.join(root, 'hall-b'));
    fs.mkdirSync(path.join(root, '.hidden'));
    const outside = path.join(t.dir, 'secret');
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(root, 'escape'));
    const service = AppService.open(path.join(t.dir, 'ws2'), { watch: false, importRoots: [root] });
    try {
      const top = await service.call('files/listFolder', {});
      expect(top).toMatchObject({ path: null, folders: [{ path: root }], roots: [root] });
      const listing = await service.call('files/listFolder', { path: root });
      expect(listing.folders.map((f) => f.name)).toEqual(['hall-b']);
      expect(listing.parent).toBeNull();
      const hall = await service.call('files/listFolder', { path: path.join(root, 'hall-b', 'pump_id_00') });
      expect(hall).toMatchObject({ audioFiles: 4, parent: path.join(root, 'hall-b'), folders: [] });
      await expect(service.call('files/listFolder', { path: outside })).rejects.toMatchObject({
        code: 'forbidden',
      });
      await expect(
        service.call('files/listFolder', { path: path.join(root, 'escape') }),
      ).rejects.toMatchObject({
        code: 'forbidden',
      });
      await expect(
        service.call('files/listFolder', { path: path.join(root, '..', '..', 'secret') }),
      ).rejects.toMatchObject({
        code: 'forbidden',
      });
      await expect(service.call('files/listFolder', { path: path.join(root, 'gone') })).rejects.toMatchObject(
        {
          code: 'not_found',
        },
      );
    } finally {
      await service.close();
    }
  });
});

describe('lines and machines: overview, deletion impact, delete with files, move', () => {
  it('counts what a deletion removes, deletes copied audio but never referenced files, and moves machines', async () => {
    const root = path.join(t.dir, 'in');
    writeImportFolder(root);
    const p = await app.call('projects/create', { name: 'A' });
    const other = await app.call('projects/create', { name: 'B' });
    const copied = await app.call('recordings/import', {
      projectId: p.id,
      sources: [path.join(root, 'fan_id_00')],
      copy: true,
    });
    await appInternals(app).jobs.waitFor(copied.id);
    const ref = await app.call('recordings/import', {
      projectId: p.id,
      sources: [path.join(root, 'pump_id_00')],
    });
    await appInternals(app).jobs.waitFor(ref.id);
    await waitForIdle(appInternals(app).jobs, ws());

    const overview = await app.call('projects/overview', {});
    const a = overview.find((o) => o.project.id === p.id)!;
    expect(a).toMatchObject({ machines: 2, recordings: 6, openAlarms: 0, activeJobs: 0 });
    expect(Object.values(a.states).reduce((x, y) => x + y, 0)).toBe(2);
    expect(a.lastActivityAt).toEqual(expect.any(String));
    expect(overview.find((o) => o.project.id === other.id)).toMatchObject({
      machines: 0,
      lastActivityAt: null,
    });

    const impact = await app.call('projects/deletionImpact', { projectId: p.id });
    expect(impact).toMatchObject({
      machines: 2,
      recordings: 6,
      copiedRecordings: 3,
      referencedRecordings: 3,
      activeJobs: 0,
    });
    expect(impact.copiedBytes).toBeGreaterThan(3 * 60_000);
    expect(impact.models).toBeGreaterThanOrEqual(1); // the baseline
    expect(impact.scores).toBeGreaterThanOrEqual(0);

    // Move the pump to line B: its recordings follow, the old line's scores of it go.
    const pump = ws()
      .machines.list(p.id)
      .find((m) => m.type === 'pump')!;
    const moved = await app.call('machines/move', { machineId: pump.id, projectId: other.id });
    expect(moved.projectId).toBe(other.id);
    expect((await app.call('recordings/list', { projectId: other.id })).total).toBe(3);
    await waitForIdle(appInternals(app).jobs, ws());
    const fan = ws().machines.list(p.id)[0]!;
    await app.call('machines/create', { projectId: other.id, type: 'fan', name: 'id_00' });
    await expect(app.call('machines/move', { machineId: fan.id, projectId: other.id })).rejects.toMatchObject(
      {
        code: 'conflict',
        message: expect.stringMatching(/already has a machine fan\/id_00/),
      },
    );
    await waitForIdle(appInternals(app).jobs, ws());

    const copiedPaths = ws()
      .db.prepare("SELECT path FROM recording WHERE storage = 'copied'")
      .pluck()
      .all() as string[];
    expect(copiedPaths).toHaveLength(3);
    for (const f of copiedPaths) expect(fs.existsSync(f)).toBe(true);
    await app.call('projects/delete', { projectId: p.id });
    for (const f of copiedPaths) expect(fs.existsSync(f)).toBe(false);
    // Referenced (and source) files are the user's: untouched.
    expect(fs.readdirSync(path.join(root, 'fan_id_00'))).toHaveLength(4);
    expect(fs.readdirSync(path.join(root, 'pump_id_00'))).toHaveLength(5);
    expect(ws().db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(ws().db.pragma('foreign_key_check')).toEqual([]);
  });

  it('cancels the line\'s queued jobs before deleting it (no job goes on writing into a deleted line)', async () => {
    const p = await app.call('projects/create', { name: 'busy' });
    const job = ws().jobs.create({ projectId: p.id, kind: 'score', params: { projectId: p.id } });
    await expect(app.call('projects/delete', { projectId: p.id })).resolves.toEqual({ deleted: true });
    expect((await app.call('projects/list', {})).map((x) => x.id)).not.toContain(p.id);
    expect(ws().jobs.list({ projectId: p.id, status: ['queued', 'running'] })).toEqual([]);
    expect(ws().jobs.get(job.id)?.status ?? 'deleted').not.toBe('queued');
  });
});

describe('models/trainingPlan', () => {
  it('lists machines with clips, windows and warnings; estimates presets once a throughput is measured', async () => {
    const root = path.join(t.dir, 'line');
    writeTinyLine(root, { trainPerMachine: 3, testPerMachine: 0 });
    const p = await app.call('projects/create', { name: 'line' });
    const empty = await app.call('models/trainingPlan', { projectId: p.id });
    expect(empty).toMatchObject({ classes: 0, windows: 0, throughput: null });
    expect(empty.blocker).toMatch(/at least two machines/);
    const job = await app.call('recordings/import', { projectId: p.id, sources: [path.join(root, 'train')] });
    const imported = await appInternals(app).jobs.waitFor(job.id);
    const plan = await app.call('models/trainingPlan', { projectId: p.id });
    expect(imported.result).toMatchObject({ imported: 6 });
    expect(plan.blocker).toBeNull();
    expect(plan.classes).toBe(2);
    expect(
      plan.machines.map((m) => m.clips),
      JSON.stringify(plan.machines),
    ).toEqual([3, 3]);
    expect(plan.machines[0]!.windows).toBe(3 * windowsOfClip(2));
    expect(plan.machines[0]!.warning).toContain(`at least ${MIN_TRAINING_CLIPS}`);
    expect(plan.presets.map((x) => [x.preset, x.estimateS])).toEqual([
      ['quick', null],
      ['standard', null],
      ['paper', null],
    ]);
    // A model with a measured history (as a training job stores it) gives the machine's speed.
    const model = ws().models.create({ projectId: p.id, name: 'm', kind: 'sc-adacos', status: 'trained' });
    const epoch = (n: number, samplesPerS: number) => ({
      jobId: 1,
      modelId: model.id,
      projectId: p.id,
      epoch: n,
      epochs: 3,
      loss: 1,
      scale: 2,
      samplesPerS,
      etaS: 0,
      at: new Date().toISOString(),
    });
    ws().models.update(model.id, { metrics: { history: [epoch(1, 10), epoch(2, 30), epoch(3, 20)] } });
    const measured = await app.call('models/trainingPlan', { projectId: p.id });
    expect(measured.throughput).toMatchObject({ samplesPerS: 20, modelId: model.id });
    const standard = measured.presets.find((x) => x.preset === 'standard')!;
    expect(standard.estimateS).toBeCloseTo((50 * measured.windows) / 20, 6);
    expect(windowsOfClip(10)).toBe(1); // up to 12 s: one window
    expect(windowsOfClip(30)).toBeGreaterThan(1);
    await waitForIdle(appInternals(app).jobs, ws());
  });
});

describe('app/about', () => {
  it('reports versions, the TF backend with its detail, the workspace and its database size', async () => {
    const about = await app.call('app/about', {});
    expect(about.workspace).toBe(ws().dir);
    expect(about.databaseBytes).toBeGreaterThan(0);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(about.tfBackend);
    expect(about.doctor).toMatch(/TF backend\s+\w+/);
    expect(about.doctor).toContain(ws().dir);
  });
});
