import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBackends, parseClipsPerMachine, parseSubclusters } from '../../src/cli/commands/dcase.ts';

const bin = path.resolve(__dirname, '../../bin/auscult.mjs');
const auscult = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('auscult dcase', () => {
  it('runs on a freshly generated synthetic set and prints results and stage times', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-cli-dcase-'));
    const data = path.join(root, 'data');
    expect(auscult(['synth', '--out', data, '--types', 'valve,conveyor', '--ids', '1', '--train', '3', '--test', '4', '--duration', '2']).status).toBe(0);
    const out = path.join(root, 'out');
    const r = auscult(['dcase', '--data', data, '--out', out, '--backend', 'mean-logmel,max-logmel', '--cache', path.join(root, 'cache'), '--threads', '0']);
    expect(r.stderr).toContain('data: 2 machine types, 2 machine ids, 6 training and 8 test files');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote 5 files to .* \(submission: mean-logmel\)/); // 2 CSVs, results.csv, results.md, run.json
    expect(r.stdout).toMatch(/mean-logmel\s+AUC \d+\.\d\d%\s+pAUC \d+\.\d\d%/);
    expect(r.stdout).toMatch(/feature extraction\s+\d+\.\d s\s+\d+ %/);
    expect(fs.readdirSync(out).sort()).toEqual(['anomaly_score_conveyor_id_00.csv', 'anomaly_score_valve_id_00.csv', 'results.csv', 'results.md', 'run.json']);
  });

  it('names the problem when the data root is wrong or an option is bad', () => {
    const r = auscult(['dcase', '--data', '/nonexistent/dcase', '--out', path.join(os.tmpdir(), 'auscult-never'), '--backend', 'mean-logmel']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('auscult: /nonexistent/dcase: data root does not exist or is not a folder');
    expect(() => parseSubclusters('1,2,128')).toThrow(/128 is not in 1…64/);
    expect(parseSubclusters('1, 2,4')).toEqual([1, 2, 4]);
    expect(() => parseBackends('gmm,plda')).toThrow(/unknown back-end "plda"/);
    expect(parseBackends('all')).toHaveLength(15);
    expect(parseClipsPerMachine('10, 30,all')).toEqual([10, 30, 'all']);
    expect(() => parseClipsPerMachine('1')).toThrow(/1 is too few/);
  });
});
