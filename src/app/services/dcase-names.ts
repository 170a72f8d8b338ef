/**
 * DCASE Task 2 file names of every year, 2020–2025, as a person gets them from the challenge:
 *
 *   2020          normal_id_00_00000000.wav, anomaly_id_02_00000012.wav, id_04_00000001.wav (eval)
 *   2021          section_00_source_train_normal_0000.wav, section_01_target_test_anomaly_0003.wav,
 *                 section_03_source_test_0012.wav (eval, unlabelled)
 *   2022–2025     section_00_source_train_normal_0000_car_A1_spd_28V_mic_1.wav (attributes in the
 *                 name, key_value pairs; "noAttribute" when there are none), section_00_0012.wav
 *                 (eval test files: no domain, split or label)
 *   2023–2025     attributes also in `attributes_00.csv` beside train/ and test/
 *                 (file_name,d1p,d1v,d2p,d2v,…: parameter/value pairs)
 *
 * The machine of a clip is `<type>/id_NN` (2020) or `<type>/section_NN` (2021–2025); the type is
 * the folder above train/ and test/ (or the clip's folder when it is not in one of them).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RecordingDomain, RecordingLabel, RecordingRole } from '../../shared/domain.ts';

export interface DcaseName {
  /** "id_00" (2020) or "section_00" (2021–2025). */
  machineName: string;
  section: string | null;
  domain: RecordingDomain | null;
  split: 'train' | 'test' | null;
  label: RecordingLabel;
  attributes: Record<string, string>;
}

const NAME_2020 = /^(?:(normal|anomaly)_)?id_(\d+)_\d+$/i;
const NAME_2021_ON =
  /^section_(\d+)_(?:(source|target)_)?(?:(train|test)_)?(?:(normal|anomaly)_)?\d+(?:_(.+))?$/i;

/** Attributes from a file-name tail: "car_A1_spd_28V_mic_1" → {car: A1, spd: 28V, mic: 1}. */
export function attributesFromTail(tail: string | undefined): Record<string, string> {
  if (!tail || /^noattribute$/i.test(tail)) return {};
  const parts = tail.split('_');
  if (parts.length % 2 !== 0) return { attributes: tail };
  const out: Record<string, string> = {};
  for (let i = 0; i < parts.length; i += 2) out[parts[i]!] = parts[i + 1]!;
  return out;
}

/** Parses a DCASE 2020–2025 file name (with or without extension); undefined when it is none. */
export function parseDcaseName(fileName: string): DcaseName | undefined {
  const stem = path.basename(fileName).replace(/\.(wav|flac)$/i, '');
  const m20 = NAME_2020.exec(stem);
  if (m20)
    return {
      machineName: `id_${m20[2]}`,
      section: null,
      domain: null,
      split: null,
      label: (m20[1]?.toLowerCase() as RecordingLabel | undefined) ?? 'unknown',
      attributes: {},
    };
  const m = NAME_2021_ON.exec(stem);
  if (!m) return undefined;
  return {
    machineName: `section_${m[1]}`,
    section: m[1]!,
    domain: (m[2]?.toLowerCase() as RecordingDomain | undefined) ?? null,
    split: (m[3]?.toLowerCase() as 'train' | 'test' | undefined) ?? null,
    label: (m[4]?.toLowerCase() as RecordingLabel | undefined) ?? 'unknown',
    attributes: attributesFromTail(m[5]),
  };
}

/** A clip's place in a DCASE layout: machine type and name, role, label, section, domain, attributes. */
export interface DcaseClip extends DcaseName {
  machineType: string;
  role: RecordingRole | null;
}

/** Where a clip sits: `<root>/<type>/{train,test}/<name>` or `<…>/<type>/<name>`. */
export function dcaseClip(file: string): DcaseClip | undefined {
  const parsed = parseDcaseName(file);
  if (!parsed) return undefined;
  const folder = path.basename(path.dirname(file));
  const inSplit = /^(train|test)$/i.test(folder);
  const split = inSplit ? (folder.toLowerCase() as 'train' | 'test') : parsed.split;
  const machineType = path.basename(inSplit ? path.dirname(path.dirname(file)) : path.dirname(file));
  return { ...parsed, split, machineType, role: split };
}

/**
 * Attributes listed in the `attributes_*.csv` files of a machine-type folder (DCASE 2023–2025):
 * file base name → attributes. Columns dNp/dNv are parameter/value pairs; any other column is
 * taken by its header. Unreadable or malformed files are skipped (the names still carry them).
 */
export function readAttributeCsvs(typeDir: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let names: string[];
  try {
    names = fs.readdirSync(typeDir).filter((n) => /^attributes_.*\.csv$/i.test(n));
  } catch {
    return out;
  }
  for (const name of names) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(typeDir, name), 'utf8');
    } catch {
      continue;
    }
    const [header, ...rows] = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    const cols = header?.split(',').map((c) => c.trim()) ?? [];
    const fileCol = cols.indexOf('file_name');
    if (fileCol < 0) continue;
    for (const row of rows) {
      const cells = row.split(',').map((c) => c.trim());
      const attrs: Record<string, string> = {};
      cols.forEach((col, i) => {
        const pair = /^d(\d+)p$/.exec(col);
        if (pair) {
          const value = cells[cols.indexOf(`d${pair[1]}v`)];
          if (cells[i] && value !== undefined && value !== '') attrs[cells[i]!] = value;
        } else if (i !== fileCol && !/^d\d+v$/.test(col) && cells[i]) attrs[col] = cells[i]!;
      });
      out.set(path.basename(cells[fileCol] ?? ''), attrs);
    }
  }
  return out;
}
