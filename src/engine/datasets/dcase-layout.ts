/**
 * Reader of the DCASE 2020 Task 2 directory layout (method.md §1):
 *   <root>/<type>/train/normal_id_NN_XXXXXXXX.wav
 *   <root>/<type>/test/{normal|anomaly}_id_NN_XXXXXXXX.wav   (development: labelled)
 *   <root>/<type>/test/id_NN_XXXXXXXX.wav                    (evaluation: unlabelled)
 * Several roots (development + evaluation) are merged. Every machine id that has training files
 * is a class, named `<type>_id_<NN>`; classes are sorted by type, then id.
 */
import fs from 'node:fs';
import path from 'node:path';

export type ClipLabel = 'normal' | 'anomaly' | 'unknown';
export type ClipSplit = 'train' | 'test';

export interface DcaseClip {
  /** Absolute path of the WAV file. */
  path: string;
  /** Base name, as written in the submission CSVs. */
  fileName: string;
  machineType: string;
  /** `id_NN`, as in the file name. */
  machineId: string;
  /** `<type>_id_<NN>`: the class the clip belongs to. */
  className: string;
  split: ClipSplit;
  label: ClipLabel;
}

export interface DcaseDataset {
  roots: string[];
  /** Machine types found, sorted. */
  machineTypes: string[];
  /** Classes (`<type>_id_<NN>`) with training files, sorted: index = class index for training. */
  classes: string[];
  train: DcaseClip[];
  test: DcaseClip[];
}

const LABELLED_NAME = /^(normal|anomaly)_(id_\d+)_\d+\.wav$/i;
const UNLABELLED_NAME = /^(id_\d+)_\d+\.wav$/i;

/** Label and machine id from a DCASE 2020 file name, or undefined when it does not follow the scheme. */
export function parseDcaseFileName(fileName: string): { label: ClipLabel; machineId: string } | undefined {
  const labelled = LABELLED_NAME.exec(fileName);
  if (labelled) return { label: labelled[1]!.toLowerCase() as ClipLabel, machineId: labelled[2]!.toLowerCase() };
  const unlabelled = UNLABELLED_NAME.exec(fileName);
  if (unlabelled) return { label: 'unknown', machineId: unlabelled[1]!.toLowerCase() };
  return undefined;
}

export function className(machineType: string, machineId: string): string {
  return `${machineType}_${machineId}`;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readSplit(dir: string, machineType: string, split: ClipSplit): DcaseClip[] {
  const clips: DcaseClip[] = [];
  for (const fileName of fs.readdirSync(dir).sort()) {
    // Hidden files and non-WAV side files (READMEs, .DS_Store) are not part of the data set.
    if (fileName.startsWith('.') || !/\.wav$/i.test(fileName)) continue;
    const filePath = path.join(dir, fileName);
    const parsed = parseDcaseFileName(fileName);
    if (!parsed) {
      throw new Error(
        `${filePath}: file name does not follow the DCASE 2020 scheme ` +
          `(normal_id_NN_XXXXXXXX.wav, anomaly_id_NN_XXXXXXXX.wav or id_NN_XXXXXXXX.wav)`,
      );
    }
    if (split === 'train' && parsed.label !== 'normal') {
      throw new Error(`${filePath}: training files must be normal recordings (normal_id_NN_…); found label "${parsed.label}"`);
    }
    clips.push({
      path: filePath,
      fileName,
      machineType,
      machineId: parsed.machineId,
      className: className(machineType, parsed.machineId),
      split,
      label: parsed.label,
    });
  }
  return clips;
}

export interface ReadDcaseOptions {
  /** Ground truth for unlabelled test files (see `readGroundTruth`). */
  groundTruth?: GroundTruth;
  /** Only these machine types (default: all found). */
  machineTypes?: string[];
}

/** Scan one or more DCASE roots and merge them into one data set. */
export function readDcaseDataset(roots: string[], options: ReadDcaseOptions = {}): DcaseDataset {
  if (roots.length === 0) throw new Error('no data root given');
  const train: DcaseClip[] = [];
  const test: DcaseClip[] = [];
  const types = new Set<string>();
  const seenPaths = new Set<string>();
  for (const root of roots) {
    const absRoot = path.resolve(root);
    if (!isDirectory(absRoot)) throw new Error(`${absRoot}: data root does not exist or is not a folder`);
    let foundAny = false;
    for (const machineType of fs.readdirSync(absRoot).sort()) {
      const typeDir = path.join(absRoot, machineType);
      if (machineType.startsWith('.') || !isDirectory(typeDir)) continue;
      for (const split of ['train', 'test'] as const) {
        const splitDir = path.join(typeDir, split);
        if (!isDirectory(splitDir)) continue;
        foundAny = true;
        if (options.machineTypes && !options.machineTypes.includes(machineType)) continue;
        types.add(machineType);
        for (const clip of readSplit(splitDir, machineType, split)) {
          if (seenPaths.has(clip.path)) continue; // the same root given twice
          seenPaths.add(clip.path);
          (split === 'train' ? train : test).push(clip);
        }
      }
    }
    if (!foundAny) {
      throw new Error(`${absRoot}: no <machine type>/train or <machine type>/test folders found (expected the DCASE 2020 layout)`);
    }
  }
  if (options.machineTypes) {
    for (const t of options.machineTypes) if (!types.has(t)) throw new Error(`machine type "${t}" not found under ${roots.join(', ')}`);
  }
  if (options.groundTruth) applyGroundTruth(test, options.groundTruth);
  const classes = [...new Set(train.map((c) => c.className))].sort();
  return { roots: roots.map((r) => path.resolve(r)), machineTypes: [...types].sort(), classes, train, test };
}

/** Ground-truth labels of evaluation test files, keyed by `<type>/<file name>`. */
export type GroundTruth = Map<string, 'normal' | 'anomaly'>;

function groundTruthKey(machineType: string, fileName: string): string {
  return `${machineType}/${fileName}`;
}

function parseLabel(value: string, where: string): 'normal' | 'anomaly' {
  const v = value.trim().toLowerCase();
  if (v === '0' || v === 'normal') return 'normal';
  if (v === '1' || v === 'anomaly' || v === 'abnormal') return 'anomaly';
  throw new Error(`${where}: label "${value}" is not 0/1/normal/anomaly`);
}

/**
 * Read ground truth for unlabelled evaluation files. Accepts the DCASE 2020 evaluator's files
 * `ground_truth_<type>_id_<NN>_test.csv` (lines `<file name>,<0|1>`; the type comes from the file
 * name), a folder of them, or a CSV whose lines are `<type>,<file name>,<0|1|normal|anomaly>`.
 */
export function readGroundTruth(csvOrDir: string): GroundTruth {
  const truth: GroundTruth = new Map();
  const files = isDirectory(csvOrDir)
    ? fs.readdirSync(csvOrDir).filter((f) => /\.csv$/i.test(f)).sort().map((f) => path.join(csvOrDir, f))
    : [csvOrDir];
  if (files.length === 0) throw new Error(`${csvOrDir}: no .csv files in the ground-truth folder`);
  for (const file of files) {
    if (!fs.existsSync(file)) throw new Error(`${file}: ground-truth file does not exist`);
    const evaluatorName = /^ground_truth_(.+)_id_\d+_test\.csv$/i.exec(path.basename(file));
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const cells = line.split(',').map((c) => c.trim());
      const where = `${file}:${i + 1}`;
      if (evaluatorName && cells.length === 2) {
        truth.set(groundTruthKey(evaluatorName[1]!, cells[0]!), parseLabel(cells[1]!, where));
      } else if (cells.length === 3) {
        // A header line ("type,file,label") is allowed.
        if (i === 0 && cells[2]!.toLowerCase() === 'label') return;
        truth.set(groundTruthKey(cells[0]!, cells[1]!), parseLabel(cells[2]!, where));
      } else {
        throw new Error(`${where}: expected "<type>,<file name>,<label>" (or "<file name>,<label>" in ground_truth_<type>_id_<NN>_test.csv)`);
      }
    });
  }
  return truth;
}

function applyGroundTruth(test: DcaseClip[], truth: GroundTruth): void {
  for (const clip of test) {
    if (clip.label !== 'unknown') continue;
    const label = truth.get(groundTruthKey(clip.machineType, clip.fileName));
    if (label) clip.label = label;
  }
}

/** Test clips grouped by class, in class order (`<type>_id_<NN>` → clips sorted by file name). */
export function groupByClass(clips: DcaseClip[]): Map<string, DcaseClip[]> {
  const groups = new Map<string, DcaseClip[]>();
  // Code-unit order (as Array.prototype.sort), not locale order: the same on every machine.
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  for (const clip of [...clips].sort((a, b) => byName(a.className, b.className) || byName(a.fileName, b.fileName))) {
    const list = groups.get(clip.className);
    if (list) list.push(clip);
    else groups.set(clip.className, [clip]);
  }
  return groups;
}
