import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDcaseExperiment } from '../../../src/engine/experiments/dcase-runner.ts';
import { readSubmissionCsv } from '../../../src/engine/experiments/submission.ts';
import { FeatureCache, sha256Hex } from '../../../src/engine/features/cache.ts';
import { REAL_DATA_DIR } from '../../helpers/shared.ts';

describe('auscult dcase runner on real MIMII recordings', () => {
  it('reads 8-channel WAVE_FORMAT_EXTENSIBLE fan recordings in a DCASE layout and ranks real anomalies above held-out normals', async () => {
    // The 16 raw MIMII fan id_00 clips, linked into the DCASE 2020 layout: 5 normals to train on,
    // 3 held-out normals and 8 anomalies to score.
    const src = path.join(REAL_DATA_DIR, 'mimii-8ch', 'fan_id_00');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-real-'));
    const data = path.join(root, 'data');
    fs.mkdirSync(path.join(data, 'fan', 'train'), { recursive: true });
    fs.mkdirSync(path.join(data, 'fan', 'test'), { recursive: true });
    const normals = fs.readdirSync(src).filter((f) => f.startsWith('normal_')).sort();
    const anomalies = fs.readdirSync(src).filter((f) => f.startsWith('anomaly_')).sort();
    expect(normals).toHaveLength(8);
    expect(anomalies).toHaveLength(8);
    normals.forEach((f, i) => {
      const split = i < 5 ? 'train' : 'test';
      fs.symlinkSync(path.join(src, f), path.join(data, 'fan', split, `normal_id_00_${String(i).padStart(8, '0')}.wav`));
    });
    anomalies.forEach((f, i) => fs.symlinkSync(path.join(src, f), path.join(data, 'fan', 'test', `anomaly_id_00_${String(i).padStart(8, '0')}.wav`)));

    const cacheDir = path.join(root, 'cache');
    const out = path.join(root, 'out');
    const r = await runDcaseExperiment({ roots: [data], outDir: out, cacheDir, backends: ['mean-logmel'], threads: 0 });
    const rows = readSubmissionCsv(path.join(out, 'anomaly_score_fan_id_00.csv'));
    expect(rows).toHaveLength(11);
    const cached = new FeatureCache(cacheDir).get(sha256Hex(fs.readFileSync(path.join(src, anomalies[0]!))))!;
    expect(cached.source).toMatchObject({ channels: 8, extensible: true, sampleRateHz: 16000 });
    expect(cached.windowCount).toBe(1);
    const [result] = r.results;
    expect(result).toMatchObject({ machineType: 'fan', machineId: 'id_00', normals: 3, anomalies: 8 });
    // Measured 0.75 with the mean log-Mel baseline on only five training clips.
    expect(result!.auc).toBeGreaterThan(0.6);
  });
});
