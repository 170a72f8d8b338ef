import { describe, expect, it, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { groupByClass, parseDcaseFileName, readDcaseDataset, readGroundTruth } from '../../../src/engine/datasets/dcase-layout.ts';

/** Create empty files (the reader only looks at names). */
function touch(root: string, files: string[]): void {
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), '');
  }
}

let dev: string;
let evalRoot: string;

beforeAll(() => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-dcase-layout-'));
  dev = path.join(tmp, 'dev');
  evalRoot = path.join(tmp, 'eval');
  touch(dev, [
    'fan/train/normal_id_00_00000000.wav',
    'fan/train/normal_id_00_00000001.wav',
    'fan/train/normal_id_02_00000000.wav',
    'fan/test/normal_id_00_00000000.wav',
    'fan/test/anomaly_id_00_00000000.wav',
    'fan/test/anomaly_id_02_00000000.wav',
    'fan/test/.DS_Store',
    'fan/test/README.txt',
    'ToyCar/train/normal_id_01_00000000.wav',
    'ToyCar/test/anomaly_id_01_00000003.wav',
  ]);
  touch(evalRoot, ['fan/train/normal_id_01_00000000.wav', 'fan/test/id_01_00000000.wav', 'fan/test/id_01_00000001.wav']);
});

describe('DCASE 2020 layout', () => {
  it('parses labelled and unlabelled file names', () => {
    expect(parseDcaseFileName('normal_id_00_00000000.wav')).toEqual({ label: 'normal', machineId: 'id_00' });
    expect(parseDcaseFileName('anomaly_id_06_00000123.wav')).toEqual({ label: 'anomaly', machineId: 'id_06' });
    expect(parseDcaseFileName('id_05_00000001.wav')).toEqual({ label: 'unknown', machineId: 'id_05' });
    expect(parseDcaseFileName('section_00_source_test_anomaly_0000.wav')).toBeUndefined();
    expect(parseDcaseFileName('normal_id_00.wav')).toBeUndefined();
  });

  it('reads types, classes, splits and labels; all ids with training data are classes', () => {
    const ds = readDcaseDataset([dev]);
    expect(ds.machineTypes).toEqual(['ToyCar', 'fan']);
    expect(ds.classes).toEqual(['ToyCar_id_01', 'fan_id_00', 'fan_id_02']);
    expect(ds.train).toHaveLength(4);
    expect(ds.test).toHaveLength(4); // side files are ignored
    const anomaly = ds.test.find((c) => c.fileName === 'anomaly_id_02_00000000.wav')!;
    expect(anomaly).toMatchObject({ machineType: 'fan', machineId: 'id_02', className: 'fan_id_02', split: 'test', label: 'anomaly' });
    expect(path.isAbsolute(anomaly.path)).toBe(true);
    const groups = groupByClass(ds.test);
    expect([...groups.keys()]).toEqual(['ToyCar_id_01', 'fan_id_00', 'fan_id_02']);
    expect(groups.get('fan_id_00')!.map((c) => c.fileName)).toEqual(['anomaly_id_00_00000000.wav', 'normal_id_00_00000000.wav']);
  });

  it('merges development and evaluation roots; evaluation test files are unlabelled until ground truth is given', () => {
    const ds = readDcaseDataset([dev, evalRoot]);
    expect(ds.classes).toEqual(['ToyCar_id_01', 'fan_id_00', 'fan_id_01', 'fan_id_02']);
    const unlabelled = ds.test.filter((c) => c.label === 'unknown');
    expect(unlabelled.map((c) => c.fileName)).toEqual(['id_01_00000000.wav', 'id_01_00000001.wav']);

    const gtDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-gt-'));
    fs.writeFileSync(path.join(gtDir, 'ground_truth_fan_id_01_test.csv'), 'id_01_00000000.wav,0\nid_01_00000001.wav,1\n');
    const labelled = readDcaseDataset([dev, evalRoot], { groundTruth: readGroundTruth(gtDir) });
    expect(labelled.test.filter((c) => c.machineId === 'id_01' && c.machineType === 'fan').map((c) => c.label)).toEqual(['normal', 'anomaly']);

    const generic = path.join(gtDir, 'generic.txt');
    fs.writeFileSync(generic, 'type,file,label\nfan,id_01_00000001.wav,normal\n');
    const truth = readGroundTruth(generic);
    expect(truth.get('fan/id_01_00000001.wav')).toBe('normal');
  });

  it('filters machine types and rejects bad layouts with messages naming the path', () => {
    expect(readDcaseDataset([dev], { machineTypes: ['fan'] }).machineTypes).toEqual(['fan']);
    expect(() => readDcaseDataset([dev], { machineTypes: ['pump'] })).toThrow(/machine type "pump" not found/);
    expect(() => readDcaseDataset([path.join(dev, 'nope')])).toThrow(/nope: data root does not exist/);
    expect(() => readDcaseDataset([path.join(dev, 'fan')])).toThrow(/no <machine type>\/train or <machine type>\/test folders/);

    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-bad-'));
    touch(bad, ['fan/train/anomaly_id_00_00000000.wav']);
    expect(() => readDcaseDataset([bad])).toThrow(/anomaly_id_00_00000000\.wav: training files must be normal/);
    const badName = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-bad-'));
    touch(badName, ['fan/test/recording 1.wav']);
    expect(() => readDcaseDataset([badName])).toThrow(/recording 1\.wav: file name does not follow the DCASE 2020 scheme/);
    const badTruth = path.join(badName, 'gt.csv');
    fs.writeFileSync(badTruth, 'fan,id_00_00000000.wav,maybe\n');
    expect(() => readGroundTruth(badTruth)).toThrow(/gt\.csv:1: label "maybe"/);
  });
});
