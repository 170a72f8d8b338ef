import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { AppService } from '../../../src/app/services/app-service.ts';
import { appInternals } from '../../../src/app/internals.ts';
import { LEVEL_MARGIN_DB } from '../../../src/app/services/level.ts';
import { decodeAudioBytes } from '../../../src/engine/audio/decode.ts';
import { encodeWav } from '../../../src/engine/audio/wav-encode.ts';
import { tempDir, waitForIdle, writeTinyLine } from '../helpers/workspace.ts';

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

/** Writes `src` scaled by `gainDb` (16-bit PCM, no clipping at these levels). */
function writeScaledCopy(src: string, dest: string, gainDb: number): void {
  const audio = decodeAudioBytes(fs.readFileSync(src), src);
  const g = 10 ** (gainDb / 20);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, encodeWav([audio.samples.map((x) => x * g)], 16000, { kind: 'pcm', bits: 16 }));
}

describe('level shifts (real job processes, mean-log-Mel baseline)', () => {
  it('reports a copy of a training clip recorded ±6/±12 dB off as a level finding, and measures what the score does', async () => {
    const root = path.join(t.dir, 'line');
    writeTinyLine(root, { trainPerMachine: 8, testPerMachine: 0 });
    const source = path.join(root, 'train', 'fan_id_00', 'normal_0.wav');
    const shifts = [-12, -6, 6, 12];
    for (const db of shifts) writeScaledCopy(source, path.join(root, 'copies', `gain_${db}dB.wav`), db);
    const p = await app.call('projects/create', { name: 'levels' });
    await app.call('recordings/import', { projectId: p.id, sources: [path.join(root, 'train')] });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    await app.call('recordings/import', {
      projectId: p.id,
      sources: [path.join(root, 'copies')],
      mapping: 'single-machine',
      machine: { type: 'fan', name: 'id_00' },
      role: 'monitor',
    });
    await waitForIdle(appInternals(app).jobs, appInternals(app).ws);
    const page = await app.call('recordings/list', { projectId: p.id, role: 'monitor' });
    const byShift = new Map(page.items.map((r) => [Number(/gain_(-?\d+)dB/.exec(r.fileName)![1]), r]));
    const measured = shifts.map((db) => {
      const r = byShift.get(db)!;
      return {
        db,
        differenceDb: r.level.differenceDb,
        finding: r.level.finding,
        healthIndex: r.score!.healthIndex,
        clipScore: r.score!.clipScore,
      };
    });
    console.log(`level shifts, mean-log-Mel baseline: ${JSON.stringify(measured)}`);
    for (const m of measured) {
      // The clip's level is measured against the machine's training level (median of its clips);
      // +12 dB clips at 16-bit full scale, hence the tolerance.
      expect(Math.abs(m.differenceDb! - m.db)).toBeLessThan(1.5);
      // A finding exactly when the shift is beyond the margin (a 6 dB gain measures 5.999 or 6.001 dB).
      if (Math.abs(m.differenceDb!) > LEVEL_MARGIN_DB)
        expect(m.finding).toBe(
          `recorded ${Math.abs(m.differenceDb!).toFixed(1)} dB ${m.db < 0 ? 'quieter' : 'louder'} than training`,
        );
      else expect(m.finding).toBeNull();
    }
    expect(measured.filter((m) => m.finding).map((m) => m.db)).toEqual(expect.arrayContaining([-12, 12]));
    // The baseline normalises each band with the training statistics and does not remove level:
    // the further the level moves, the higher the score.
    const score = (db: number) => measured.find((m) => m.db === db)!.clipScore;
    expect(score(-12)).toBeGreaterThan(score(-6));
    expect(score(12)).toBeGreaterThan(score(6));
    // The machine's state says why: a level finding (or the alarms the shift raises).
    const summary = await app.call('dashboard/summary', { projectId: p.id });
    const fan = summary.machines.find((m) => m.machine.type === 'fan')!;
    expect(['watch', 'alarm']).toContain(fan.status.state);
  });
});
