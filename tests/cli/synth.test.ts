import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const bin = path.resolve(__dirname, '../../bin/auscult.mjs');
const auscult = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('auscult synth', () => {
  it('writes a synthetic set in DCASE layout and reports what it wrote', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-cli-synth-')), 'set');
    const r = auscult(['synth', '--out', out, '--seed', '4', '--types', 'pump,slider', '--ids', '1', '--train', '2', '--test', '2', '--duration', '1.5']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote 8 clips \(4 train, 2 normal test, 2 anomalous test\) and manifest\.csv/);
    expect(fs.readdirSync(path.join(out, 'slider', 'test')).sort()).toEqual(['anomaly_id_00_00000000.wav', 'normal_id_00_00000000.wav']);
    expect(fs.readFileSync(path.join(out, 'manifest.csv'), 'utf8').split('\n')[0]).toBe('file,type,id,split,label,anomaly_kind,difficulty,snr_db');

    const again = auscult(['synth', '--out', out, '--types', 'pump', '--ids', '1', '--train', '1', '--test', '0']);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^auscult: .*set: folder is not empty; choose a new folder or pass overwrite \(--force\)/);
    expect(auscult(['synth', '--out', out, '--force', '--types', 'pump', '--ids', '1', '--train', '1', '--test', '0', '--duration', '1.5']).status).toBe(0);
    expect(fs.existsSync(path.join(out, 'slider'))).toBe(false);
  });

  it('rejects unknown machine types and bad numbers', () => {
    const r = auscult(['synth', '--out', path.join(os.tmpdir(), 'never-written'), '--types', 'fan,drill']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('auscult: --types: unknown machine type "drill"');
    expect(auscult(['synth', '--out', '/tmp/never', '--ids', 'two']).stderr).toContain('--ids must be a non-negative integer, got "two"');
  });
});
