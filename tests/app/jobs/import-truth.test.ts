import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import { tempDir, writeToneWav } from '../helpers/workspace.ts';

let t: ReturnType<typeof tempDir>;
let app: AppService;

beforeEach(() => {
  t = tempDir();
  app = AppService.open(path.join(t.dir, 'ws'), { watch: false });
});
afterEach(async () => {
  await app.close();
  t.cleanup();
});

async function importAndWait(projectId: number, sources: string[], extra: Record<string, unknown> = {}) {
  const job = await app.call('recordings/import', { projectId, sources, ...extra });
  return appInternals(app).jobs.waitFor(job.id);
}

describe('imports that tell the truth (real job processes)', () => {
  it('fails when nothing was imported, says why, and its counts add up', async () => {
    const p = await app.call('projects/create', { name: 'truth' });
    // A folder that does not exist.
    const missing = await importAndWait(p.id, [path.join(t.dir, 'nowhere')]);
    expect(missing.status).toBe('failed');
    expect(missing.error).toMatch(
      /^no audio files \(\.wav, \.flac\) found in .*nowhere \(1 source could not be read\)$/,
    );
    expect(missing.result).toMatchObject({
      found: 0,
      imported: 0,
      duplicates: 0,
      failed: 0,
      unreadableSources: 1,
    });
    // An empty folder.
    fs.mkdirSync(path.join(t.dir, 'empty'));
    const empty = await importAndWait(p.id, [path.join(t.dir, 'empty')]);
    expect(empty).toMatchObject({ status: 'failed', result: { found: 0 } });
    expect(empty.error).toMatch(/no audio files .* found in .*empty$/);
    // Only broken files.
    const broken = path.join(t.dir, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'a.wav'), 'not audio');
    fs.writeFileSync(path.join(broken, 'b.wav'), 'RIFF....WAVEjunk');
    const bad = await importAndWait(p.id, [broken]);
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/none of the 2 audio files in .*broken could be imported/);
    expect(bad.result).toMatchObject({ found: 2, imported: 0, duplicates: 0, failed: 2 });
    const errors = await app.call('recordings/importErrors', { projectId: p.id, jobId: bad.id });
    expect(errors.map((e) => path.basename(e.path)).sort()).toEqual(['a.wav', 'b.wav']);
    // Nothing failed-import left a job queued behind it (no scoring of nothing).
    expect(
      appInternals(app)
        .ws.jobs.list({ projectId: p.id })
        .every((j) => j.kind === 'import'),
    ).toBe(true);
  });

  it('stores decoder warnings per recording, honours file-name ids outside train/test, reads DCASE 2021–2025 names and attribute CSVs', async () => {
    const root = path.join(t.dir, 'in');
    // A truncated WAV: the data chunk declares more bytes than the file holds.
    writeToneWav(path.join(root, 'whole.wav'), { seed: 1, durationS: 3 });
    const whole = fs.readFileSync(path.join(root, 'whole.wav'));
    fs.mkdirSync(path.join(root, 'valve'), { recursive: true });
    fs.writeFileSync(path.join(root, 'valve', 'cut.wav'), whole.subarray(0, whole.length - 16000));
    fs.rmSync(path.join(root, 'whole.wav'));
    // 2020 names outside a train/test folder: fan/normal_id_00_… is machine fan/id_00, not "fan/fan".
    writeToneWav(path.join(root, 'fan', 'normal_id_00_00000000.wav'), { seed: 2 });
    writeToneWav(path.join(root, 'fan', 'anomaly_id_01_00000000.wav'), { seed: 3 });
    // 2023-style layout with an attribute CSV.
    const car = path.join(root, 'ToyCar');
    writeToneWav(path.join(car, 'train', 'section_00_source_train_normal_0000_car_A1_spd_28V.wav'), {
      seed: 4,
    });
    writeToneWav(path.join(car, 'train', 'section_00_target_train_normal_0000_car_B1_spd_31V.wav'), {
      seed: 5,
    });
    writeToneWav(path.join(car, 'test', 'section_00_0007.wav'), { seed: 6 });
    fs.writeFileSync(
      path.join(car, 'attributes_00.csv'),
      'file_name,d1p,d1v,d2p,d2v\nToyCar/test/section_00_0007.wav,car,C3,spd,20V\n',
    );
    const p = await app.call('projects/create', { name: 'names' });
    const done = await importAndWait(p.id, [root]);
    expect(done.status, done.error ?? '').toBe('succeeded');
    const why = JSON.stringify(await app.call('recordings/importErrors', { projectId: p.id }));
    expect(done.result, why).toMatchObject({ found: 6, imported: 6, duplicates: 0, failed: 0 });
    const withWarnings = (done.result as { withWarnings: { path: string; warnings: string[] }[] })
      .withWarnings;
    expect(withWarnings.map((w) => path.basename(w.path))).toEqual(['cut.wav']);
    expect(withWarnings[0]!.warnings[0]).toMatch(/truncated/);

    const page = await app.call('recordings/list', { projectId: p.id, limit: 100 });
    const machines = new Map(
      (await app.call('machines/list', { projectId: p.id })).map((m) => [m.id, `${m.type}/${m.name}`]),
    );
    const view = Object.fromEntries(
      page.items.map((r) => [
        r.fileName,
        [machines.get(r.machineId), r.role, r.label, r.section, r.domain, r.attributes, r.warnings.length],
      ]),
    );
    expect(view).toEqual({
      'cut.wav': ['valve/valve', 'train', 'normal', null, null, {}, 1],
      'normal_id_00_00000000.wav': ['fan/id_00', 'train', 'normal', null, null, {}, 0],
      'anomaly_id_01_00000000.wav': ['fan/id_01', 'train', 'anomaly', null, null, {}, 0],
      'section_00_source_train_normal_0000_car_A1_spd_28V.wav': [
        'ToyCar/section_00',
        'train',
        'normal',
        '00',
        'source',
        { car: 'A1', spd: '28V' },
        0,
      ],
      'section_00_target_train_normal_0000_car_B1_spd_31V.wav': [
        'ToyCar/section_00',
        'train',
        'normal',
        '00',
        'target',
        { car: 'B1', spd: '31V' },
        0,
      ],
      'section_00_0007.wav': [
        'ToyCar/section_00',
        'test',
        'unknown',
        '00',
        null,
        { car: 'C3', spd: '20V' },
        0,
      ],
    });
    // Every clip's level is measured at import.
    for (const r of page.items) expect(r.levelDbfs).toBeLessThan(0);

    // recordings/update moves a clip to another machine, role and label, with an audit entry.
    const anomaly = page.items.find((r) => r.fileName === 'anomaly_id_01_00000000.wav')!;
    const fan00 = [...machines].find(([, n]) => n === 'fan/id_00')![0];
    const moved = await app.call(
      'recordings/update',
      { recordingId: anomaly.id, machineId: fan00, role: 'test' },
      'carol',
    );
    expect(moved).toMatchObject({ machineId: fan00, role: 'test', label: 'anomaly' });
    const audit = (await app.call('audit/list', { entity: 'recording', entityId: anomaly.id }))[0]!;
    expect(audit).toMatchObject({
      actor: 'carol',
      action: 'update',
      details: { from: { role: 'train' }, to: { role: 'test' } },
    });
    await expect(
      app.call('recordings/update', { recordingId: anomaly.id, role: 'train' }),
    ).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/must not be labelled anomaly/),
    });
    const other = await app.call('projects/create', { name: 'other' });
    const foreign = await app.call('machines/create', { projectId: other.id, type: 'x', name: 'y' });
    await expect(
      app.call('recordings/update', { recordingId: anomaly.id, machineId: foreign.id }),
    ).rejects.toMatchObject({ code: 'bad_request' });
  });
});
