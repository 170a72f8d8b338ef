import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { averageResults, formatResultsCsv, formatResultsMarkdown, RESULTS_CSV_HEADER, type IdResult, type SystemKey } from '../../../src/engine/experiments/results.ts';
import { formatSubmissionCsv, readSubmissionCsv, submissionFileName, writeSubmissionCsv } from '../../../src/engine/experiments/submission.ts';
import { StageTimer } from '../../../src/engine/experiments/stage-timer.ts';

const gmm: SystemKey = { name: 'S=4 gmm', representation: 'learned', backend: 'gmm', subclusters: 4 };
const gauss: SystemKey = { name: 'S=4 gaussian-full', representation: 'learned', backend: 'gaussian-full', subclusters: 4 };
const mean: SystemKey = { name: 'mean-logmel', representation: 'mean', backend: 'gaussian-full' };
const r = (system: SystemKey, machineType: string, machineId: string, auc: number, pauc: number): IdResult => ({ system, machineType, machineId, auc, pauc, normals: 10, anomalies: 10 });

const results: IdResult[] = [
  r(gmm, 'fan', 'id_00', 0.9, 0.8),
  r(gmm, 'fan', 'id_02', 0.7, 0.6),
  r(gmm, 'pump', 'id_00', 0.5, 0.5),
  r(gauss, 'fan', 'id_00', 0.8, 0.7),
  r(gauss, 'fan', 'id_02', 0.6, 0.5),
  r(gauss, 'pump', 'id_00', 0.4, 0.5),
  r(mean, 'fan', 'id_00', 0.6, 0.55),
  r(mean, 'fan', 'id_02', 0.6, 0.55),
  r(mean, 'pump', 'id_00', 0.9, 0.7),
];

describe('experiment results', () => {
  it('averages ids per type, then types (not ids) for the mean', () => {
    const a = averageResults(results).filter((x) => x.system.name === 'S=4 gmm');
    expect(a.map((x) => x.machineType)).toEqual(['fan', 'pump', 'mean']);
    expect(a[0]!.auc).toBeCloseTo(0.8, 12);
    expect(a[1]!.auc).toBeCloseTo(0.5, 12);
    expect(a[2]!.auc).toBeCloseTo(0.65, 12); // (0.8 + 0.5)/2, not (0.9 + 0.7 + 0.5)/3
    expect(a[2]!.pauc).toBeCloseTo(0.6, 12);
  });

  it('writes a tidy CSV with id rows, type means and the overall mean', () => {
    const lines = formatResultsCsv(results).trim().split('\n');
    expect(lines[0]).toBe(RESULTS_CSV_HEADER);
    expect(lines).toContain('S=4 gmm,learned,gmm,4,fan,id_00,0.900000,0.800000,10,10');
    expect(lines).toContain('S=4 gmm,learned,gmm,4,fan,mean,0.800000,0.700000,,');
    expect(lines).toContain('mean-logmel,mean,gaussian-full,,mean,mean,0.750000,0.625000,,');
    expect(lines).toHaveLength(1 + 9 + 3 * 3);
  });

  it('lays out the Markdown report like the paper tables', () => {
    const md = formatResultsMarkdown(results, { title: 'T', notes: ['n1'], defaultSystem: 'S=4 gmm' });
    expect(md).toContain('| **S=4 gmm** (submission) | learned | gmm | 4 | 65.00% | 60.00% |');
    expect(md).toContain('| 4 | Gaussian | 55.00% | 55.00% |'); // Table IV: fan (0.8 + 0.6)/2, pump 0.4 → 0.55
    expect(md).toContain('| 4 | GMM | 65.00% | 60.00% |');
    expect(md).toContain('| learned (S=4 gmm) | pump | 50.00% | 50.00% |'); // Table V
    expect(md).toContain('| mean | pump | 90.00% | 70.00% |');
    expect(md).toContain('| fan | id_02 | 70.00% | 60.00% | 10 / 10 |');
  });
});

describe('submission files', () => {
  it('writes anomaly_score_<type>_id_<NN>.csv without header and reads it back exactly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-sub-'));
    const rows = [
      { fileName: 'id_01_00000000.wav', score: -12.345678901234567 },
      { fileName: 'normal_id_01_00000001.wav', score: 1e-20 },
    ];
    const file = writeSubmissionCsv(dir, 'ToyCar', 'id_01', rows);
    expect(path.basename(file)).toBe(submissionFileName('ToyCar', 'id_01'));
    expect(path.basename(file)).toBe('anomaly_score_ToyCar_id_01.csv');
    expect(fs.readFileSync(file, 'utf8')).toBe('id_01_00000000.wav,-12.345678901234567\nnormal_id_01_00000001.wav,1e-20\n');
    expect(readSubmissionCsv(file)).toEqual(rows);
    expect(() => formatSubmissionCsv([{ fileName: 'x.wav', score: Number.NaN }])).toThrow(/x\.wav is not finite/);
  });
});

describe('stage timer', () => {
  it('adds up repeated stages and reports shares', async () => {
    const t = new StageTimer();
    await t.time('a', () => new Promise((r) => setTimeout(r, 20)));
    await t.time('a', () => new Promise((r) => setTimeout(r, 20)));
    t.add('b', 0.5);
    const stages = t.stages;
    expect(stages.map((s) => s.stage)).toEqual(['a', 'b']);
    expect(stages[0]!.seconds).toBeGreaterThan(0.035);
    expect(t.describe()[1]).toMatch(/^b: 0\.5 s \(\d+ %\)$/);
  });
});
