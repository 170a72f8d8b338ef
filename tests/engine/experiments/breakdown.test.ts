import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { breakdownByAnomaly, formatBreakdownMarkdown, readAnomalyAnnotations } from '../../../src/engine/experiments/breakdown.ts';
import type { DcaseClip } from '../../../src/engine/datasets/dcase-layout.ts';

const clip = (className: string, label: 'normal' | 'anomaly', p: string): DcaseClip => ({
  path: p,
  fileName: path.basename(p),
  machineType: className.split('_')[0]!,
  machineId: className.slice(className.indexOf('_') + 1),
  className,
  split: 'test',
  label,
});

describe('breakdown by anomaly kind and difficulty', () => {
  it('computes per-id AUC of normals against one kind, averaged over ids', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-breakdown-'));
    fs.writeFileSync(
      path.join(root, 'manifest.csv'),
      'file,type,id,split,label,anomaly_kind,difficulty,snr_db\n' +
        'fan/test/anomaly_id_00_00000000.wav,fan,id_00,test,anomaly,whine,easy,1.00\n' +
        'fan/test/anomaly_id_00_00000001.wav,fan,id_00,test,anomaly,rattle,hard,1.00\n' +
        'fan/test/anomaly_id_01_00000000.wav,fan,id_01,test,anomaly,whine,hard,1.00\n' +
        'fan/test/normal_id_00_00000000.wav,fan,id_00,test,normal,,,1.00\n',
    );
    const annotations = readAnomalyAnnotations([root]);
    expect(annotations.size).toBe(3);
    const p = (f: string): string => path.join(root, 'fan/test', f);
    const test = [
      clip('fan_id_00', 'normal', p('normal_id_00_00000000.wav')),
      clip('fan_id_00', 'normal', p('normal_id_00_00000001.wav')),
      clip('fan_id_00', 'anomaly', p('anomaly_id_00_00000000.wav')),
      clip('fan_id_00', 'anomaly', p('anomaly_id_00_00000001.wav')),
      clip('fan_id_01', 'normal', p('normal_id_01_00000000.wav')),
      clip('fan_id_01', 'anomaly', p('anomaly_id_01_00000000.wav')),
    ];
    //                normals 1, 3;  whine 5 (above both), rattle 2 (between); id_01: normal 4, whine 0 (below)
    const scores = [1, 3, 5, 2, 4, 0];
    const rows = breakdownByAnomaly(test, scores, annotations);
    const get = (by: string, value: string) => rows.find((r) => r.by === by && r.value === value)!;
    expect(get('kind', 'whine')).toEqual({ by: 'kind', value: 'whine', auc: 0.5, anomalies: 2, ids: 2 }); // (1 + 0)/2
    expect(get('kind', 'rattle')).toEqual({ by: 'kind', value: 'rattle', auc: 0.5, anomalies: 1, ids: 1 });
    expect(get('difficulty', 'easy').auc).toBe(1);
    expect(get('difficulty', 'hard').auc).toBeCloseTo(0.25, 12); // id_00: rattle 0.5; id_01: whine 0
    expect(formatBreakdownMarkdown('S=32 gmm', rows)).toContain('| kind | whine | 50.00% | 2 | 2 |');
    expect(readAnomalyAnnotations([os.tmpdir() + '/no-such-root']).size).toBe(0);
  });
});
