import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import {
  attributesFromTail,
  dcaseClip,
  parseDcaseName,
  readAttributeCsvs,
} from '../../../src/app/services/dcase-names.ts';
import { tempDir } from '../helpers/workspace.ts';

describe('DCASE file names, 2020–2025', () => {
  it('2020: machine id, label; unlabelled evaluation names', () => {
    expect(parseDcaseName('normal_id_00_00000000.wav')).toMatchObject({
      machineName: 'id_00',
      label: 'normal',
      section: null,
      domain: null,
    });
    expect(parseDcaseName('anomaly_id_02_00000012.wav')).toMatchObject({
      machineName: 'id_02',
      label: 'anomaly',
    });
    expect(parseDcaseName('id_04_00000001.wav')).toMatchObject({ machineName: 'id_04', label: 'unknown' });
  });
  it('2021: section, source/target domain, split, label; unlabelled evaluation names', () => {
    expect(parseDcaseName('section_00_source_train_normal_0000.wav')).toEqual({
      machineName: 'section_00',
      section: '00',
      domain: 'source',
      split: 'train',
      label: 'normal',
      attributes: {},
    });
    expect(parseDcaseName('section_01_target_test_anomaly_0003.wav')).toMatchObject({
      section: '01',
      domain: 'target',
      split: 'test',
      label: 'anomaly',
    });
    expect(parseDcaseName('section_03_source_test_0012.wav')).toMatchObject({
      section: '03',
      domain: 'source',
      split: 'test',
      label: 'unknown',
    });
  });
  it('2022: attributes in the name', () => {
    expect(
      parseDcaseName('section_00_source_train_normal_0000_car_A1_spd_28V_mic_1_noise_1.wav'),
    ).toMatchObject({
      domain: 'source',
      label: 'normal',
      attributes: { car: 'A1', spd: '28V', mic: '1', noise: '1' },
    });
    expect(parseDcaseName('section_03_0012.wav')).toMatchObject({
      section: '03',
      domain: null,
      split: null,
      label: 'unknown',
    });
  });
  it('2023–2025: "noAttribute", target-domain training clips, evaluation names without domain', () => {
    expect(parseDcaseName('section_00_target_train_normal_0009_noAttribute.wav')).toMatchObject({
      domain: 'target',
      split: 'train',
      attributes: {},
    });
    expect(parseDcaseName('section_00_source_test_anomaly_0042_n_A_mic_1.wav')).toMatchObject({
      label: 'anomaly',
      attributes: { n: 'A', mic: '1' },
    });
    expect(parseDcaseName('section_00_0199.wav')).toMatchObject({ machineName: 'section_00', split: null });
    expect(attributesFromTail('odd_count_tail')).toEqual({ attributes: 'odd_count_tail' });
  });
  it('not DCASE names', () => {
    for (const n of ['fan.wav', 'normal_0.wav', 'section_x_source.wav', 'id_00.wav'])
      expect(parseDcaseName(n)).toBeUndefined();
  });
  it('the machine comes from the folders: type above train/test, or the clip folder outside them', () => {
    expect(dcaseClip('/d/fan/train/normal_id_00_00000000.wav')).toMatchObject({
      machineType: 'fan',
      machineName: 'id_00',
      role: 'train',
    });
    expect(dcaseClip('/d/fan/normal_id_00_00000000.wav')).toMatchObject({
      machineType: 'fan',
      machineName: 'id_00',
      role: null,
    });
    expect(dcaseClip('/d/ToyCar/test/section_00_target_test_normal_0000_car_B2.wav')).toMatchObject({
      machineType: 'ToyCar',
      machineName: 'section_00',
      role: 'test',
      domain: 'target',
    });
  });
  it('attribute CSVs (2023–2025): parameter/value pairs per file', () => {
    const t = tempDir();
    try {
      fs.writeFileSync(
        path.join(t.dir, 'attributes_00.csv'),
        'file_name,d1p,d1v,d2p,d2v\nToyCar/train/section_00_source_train_normal_0000_car_A1.wav,car,A1,spd,28V\nToyCar/test/section_00_0001.wav,car,B2,spd,31V\n',
      );
      const m = readAttributeCsvs(t.dir);
      expect(m.get('section_00_0001.wav')).toEqual({ car: 'B2', spd: '31V' });
      expect(m.get('section_00_source_train_normal_0000_car_A1.wav')).toEqual({ car: 'A1', spd: '28V' });
    } finally {
      t.cleanup();
    }
  });
});
