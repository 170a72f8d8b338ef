/**
 * The synthetic factory: a deterministic data set of machine sounds in the DCASE 2020 Task 2
 * layout, for tests, the demo and the sample project. Same options and seed → byte-identical files.
 *
 *   <outDir>/<type>/train/normal_id_NN_XXXXXXXX.wav
 *   <outDir>/<type>/test/{normal|anomaly}_id_NN_XXXXXXXX.wav
 *   <outDir>/manifest.csv   file,type,id,split,label,anomaly_kind,difficulty,snr_db
 * (manifest.csv.partial while generating, so that an interrupted set can be replaced with overwrite)
 *
 * A clip = the machine (its id's profile, played at this clip's speed and load) + an optional fault
 * + factory background at a random SNR, scaled to a random level around −26 dBFS.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeWav } from '../../audio/wav-encode.ts';
import { Random, deriveSeed } from '../prng.ts';
import { addInto, dbToAmplitude, rms, smoothWander } from './dsp.ts';
import { drawMachineProfile, MACHINE_TYPES, renderMachine, type ClipConditions, type MachineType } from './machines.ts';
import {
  ANOMALY_KINDS,
  DIFFICULTIES,
  driftSpeedFactor,
  imbalanceDepth,
  imbalanceTone,
  renderAddedFault,
  type AnomalyKind,
  type Difficulty,
} from './anomalies.ts';
import { renderBackground } from './background.ts';

export { MACHINE_TYPES, ANOMALY_KINDS, DIFFICULTIES };
export type { MachineType, AnomalyKind, Difficulty };

export const SYNTH_SAMPLE_RATE_HZ = 16000;
/** Machine-to-background SNR range of the clips (dB), drawn uniformly per clip. */
export const SNR_RANGE_DB: readonly [number, number] = [-3, 9];
/** Per-clip speed variation of normal operation (relative sd) and its clamp. */
const SPEED_SD = 0.015;
const SPEED_CLAMP = 0.04;

export interface SyntheticClipSpec {
  machineType: MachineType;
  /** Machine id number (0 → `id_00`). */
  idNumber: number;
  split: 'train' | 'test';
  label: 'normal' | 'anomaly';
  /** Index within (type, id, split, label): the number in the file name. */
  index: number;
  anomaly?: { kind: AnomalyKind; difficulty: Difficulty };
}

export interface SyntheticClip {
  /** Mono samples at 16 kHz in [-1, 1]. */
  samples: Float32Array;
  snrDb: number;
}

export function machineIdName(idNumber: number): string {
  return `id_${String(idNumber).padStart(2, '0')}`;
}

/** Render one clip (deterministic in `seed` and `spec`; independent of any other clip). */
export function renderSyntheticClip(
  seed: number,
  spec: SyntheticClipSpec,
  durationS: number,
  snrRangeDb: readonly [number, number] = SNR_RANGE_DB,
): SyntheticClip {
  const fs = SYNTH_SAMPLE_RATE_HZ;
  const length = Math.round(durationS * fs);
  if (!(length > 0)) throw new Error(`synthetic clip duration ${durationS} s is not positive`);
  const id = machineIdName(spec.idNumber);
  const profile = drawMachineProfile(spec.machineType, new Random(deriveSeed(seed, `profile/${spec.machineType}/${id}`)));
  const rng = new Random(deriveSeed(seed, `clip/${spec.machineType}/${id}/${spec.split}/${spec.label}/${spec.index}`));

  const nominalSpeed = 1 + Math.max(-SPEED_CLAMP, Math.min(SPEED_CLAMP, rng.normal(0, SPEED_SD)));
  const wander = smoothWander(rng, length, fs, 0.7, 0.003);
  const speed = new Float64Array(length);
  for (let n = 0; n < length; n++) speed[n] = nominalSpeed * (1 + wander[n]!);
  const conditions: ClipConditions = {
    sampleRateHz: fs,
    length,
    speed,
    tonalGainDb: rng.normal(0, 1.5),
    noiseGainDb: rng.normal(0, 1.5),
    amDepth: profile.amDepth > 0 ? Math.max(0, profile.amDepth + rng.normal(0, 0.02)) : 0,
    resonanceDetune: rng.normal(0, 0.02),
  };

  const anomaly = spec.label === 'anomaly' ? spec.anomaly : undefined;
  if (spec.label === 'anomaly' && !anomaly) throw new Error('an anomalous synthetic clip needs an anomaly kind and difficulty');
  if (anomaly?.kind === 'drift') {
    const factor = driftSpeedFactor(anomaly.difficulty, rng, length);
    for (let n = 0; n < length; n++) speed[n]! *= factor[n]!;
  }
  if (anomaly?.kind === 'imbalance') conditions.amDepth = Math.max(conditions.amDepth, imbalanceDepth(anomaly.difficulty));

  const mix = renderMachine(profile, conditions, rng); // RMS 1
  if (anomaly?.kind === 'imbalance') addInto(mix, imbalanceTone(profile, speed, anomaly.difficulty, rng, fs, 1));
  if (anomaly && (anomaly.kind === 'bearing' || anomaly.kind === 'whine' || anomaly.kind === 'friction' || anomaly.kind === 'rattle')) {
    addInto(mix, renderAddedFault(anomaly.kind, anomaly.difficulty, profile, speed, rng, fs, 1));
  }

  const snrDb = rng.uniform(snrRangeDb[0], snrRangeDb[1]);
  addInto(mix, renderBackground(rng, length, fs), dbToAmplitude(-snrDb));

  // Recording level varies by ±2 dB around −26 dBFS; peaks are kept below full scale.
  const levelDb = -26 + rng.uniform(-2, 2);
  let gain = dbToAmplitude(levelDb) / rms(mix);
  let peak = 0;
  for (let n = 0; n < length; n++) peak = Math.max(peak, Math.abs(mix[n]!));
  if (peak * gain > 0.98) gain = 0.98 / peak;
  const samples = new Float32Array(length);
  for (let n = 0; n < length; n++) samples[n] = mix[n]! * gain;
  return { samples, snrDb };
}

export interface SyntheticFactoryOptions {
  outDir: string;
  /** Seed of everything (default 0). */
  seed?: number;
  /** Machine types (default: all six). */
  types?: MachineType[];
  /** Machine ids per type (default 3: id_00, id_01, id_02). */
  idsPerType?: number;
  /** Normal training clips per id (default 30). */
  trainPerId?: number;
  /** Test clips per id, half normal (rounded up), half anomalous (default 20). */
  testPerId?: number;
  /** Clip length (default 10 s, as DCASE). */
  durationS?: number;
  /** Machine-to-background SNR range in dB, drawn uniformly per clip (default [−3, 9]); lower = harder. */
  snrRangeDb?: readonly [number, number];
  /** Anomaly difficulties to draw from (default all three); e.g. ['medium', 'hard'] for a harder set. */
  difficulties?: readonly Difficulty[];
  /** Replace a previous synthetic set in `outDir` (only files its manifest.csv lists are removed). */
  overwrite?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ManifestEntry {
  /** Path relative to the output folder, with forward slashes. */
  file: string;
  machineType: MachineType;
  machineId: string;
  split: 'train' | 'test';
  label: 'normal' | 'anomaly';
  /** Empty for normal clips. */
  anomalyKind: AnomalyKind | '';
  difficulty: Difficulty | '';
  snrDb: number;
}

/**
 * The standard synthetic set (the defaults of `auscult synth`): the set whose baseline and
 * SC-AdaCos figures are reported in the README (Data sets section) and measured by bench/dcase.bench.ts.
 */
export const STANDARD_SYNTHETIC_SET = Object.freeze({
  seed: 0,
  types: [...MACHINE_TYPES] as MachineType[],
  idsPerType: 3,
  trainPerId: 30,
  testPerId: 20,
  durationS: 10,
});

export const MANIFEST_HEADER = 'file,type,id,split,label,anomaly_kind,difficulty,snr_db';

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`synthetic factory: ${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/** The clips of a synthetic set, in generation order (no audio rendered). */
export function planSyntheticFactory(options: Omit<SyntheticFactoryOptions, 'outDir' | 'onProgress' | 'overwrite'>): SyntheticClipSpec[] {
  const seed = options.seed ?? STANDARD_SYNTHETIC_SET.seed;
  const types = options.types ?? [...STANDARD_SYNTHETIC_SET.types];
  for (const t of types) {
    if (!(MACHINE_TYPES as readonly string[]).includes(t)) throw new Error(`synthetic factory: unknown machine type "${t}" (known: ${MACHINE_TYPES.join(', ')})`);
  }
  if (new Set(types).size !== types.length) throw new Error('synthetic factory: a machine type is listed twice');
  const ids = checkCount('idsPerType', options.idsPerType ?? STANDARD_SYNTHETIC_SET.idsPerType, 1);
  const train = checkCount('trainPerId', options.trainPerId ?? STANDARD_SYNTHETIC_SET.trainPerId, 1);
  const test = checkCount('testPerId', options.testPerId ?? STANDARD_SYNTHETIC_SET.testPerId, 0);
  const difficulties = options.difficulties ?? DIFFICULTIES;
  for (const d of difficulties) {
    if (!(DIFFICULTIES as readonly string[]).includes(d)) throw new Error(`synthetic factory: unknown difficulty "${d}" (known: ${DIFFICULTIES.join(', ')})`);
  }
  if (difficulties.length === 0 || new Set(difficulties).size !== difficulties.length) throw new Error('synthetic factory: give each anomaly difficulty at most once, and at least one');
  const specs: SyntheticClipSpec[] = [];
  for (const machineType of types) {
    for (let idNumber = 0; idNumber < ids; idNumber++) {
      for (let index = 0; index < train; index++) specs.push({ machineType, idNumber, split: 'train', label: 'normal', index });
      const normals = Math.ceil(test / 2);
      for (let index = 0; index < normals; index++) specs.push({ machineType, idNumber, split: 'test', label: 'normal', index });
      // Every (kind, difficulty) pair in turn, in an order shuffled per id, so anomalies are balanced.
      const pairs = ANOMALY_KINDS.flatMap((kind) => difficulties.map((difficulty) => ({ kind, difficulty })));
      const order = new Random(deriveSeed(seed, `anomalies/${machineType}/${machineIdName(idNumber)}`));
      for (let i = pairs.length - 1; i > 0; i--) {
        const j = order.int(0, i);
        [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
      }
      for (let index = 0; index < test - normals; index++) {
        specs.push({ machineType, idNumber, split: 'test', label: 'anomaly', index, anomaly: pairs[index % pairs.length]! });
      }
    }
  }
  return specs;
}

export function clipRelativePath(spec: SyntheticClipSpec): string {
  return `${spec.machineType}/${spec.split}/${spec.label}_${machineIdName(spec.idNumber)}_${String(spec.index).padStart(8, '0')}.wav`;
}

export function formatManifest(entries: ManifestEntry[]): string {
  const lines = entries.map((e) => [e.file, e.machineType, e.machineId, e.split, e.label, e.anomalyKind, e.difficulty, e.snrDb.toFixed(2)].join(','));
  return [MANIFEST_HEADER, ...lines].join('\n') + '\n';
}

/** Parse a manifest.csv written by the synthetic factory. */
export function parseManifest(text: string, where = 'manifest.csv'): ManifestEntry[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0] !== MANIFEST_HEADER) throw new Error(`${where}: first line must be "${MANIFEST_HEADER}"`);
  return lines.slice(1).map((line, i) => {
    const c = line.split(',');
    if (c.length !== 8) throw new Error(`${where}:${i + 2}: expected 8 columns, found ${c.length}`);
    return {
      file: c[0]!,
      machineType: c[1] as MachineType,
      machineId: c[2]!,
      split: c[3] as 'train' | 'test',
      label: c[4] as 'normal' | 'anomaly',
      anomalyKind: c[5] as AnomalyKind | '',
      difficulty: c[6] as Difficulty | '',
      snrDb: Number(c[7]),
    };
  });
}

/** The manifest being written while a set is generated; renamed to manifest.csv when complete. */
const PARTIAL_MANIFEST = 'manifest.csv.partial';

function prepareOutDir(outDir: string, overwrite: boolean): void {
  if (!fs.existsSync(outDir)) {
    fs.mkdirSync(outDir, { recursive: true });
    return;
  }
  if (!fs.statSync(outDir).isDirectory()) throw new Error(`${outDir}: exists and is not a folder`);
  if (fs.readdirSync(outDir).length === 0) return;
  // A previous set: complete (manifest.csv) or interrupted (the partial manifest lists what it wrote).
  const manifests = ['manifest.csv', PARTIAL_MANIFEST].map((f) => path.join(outDir, f)).filter((f) => fs.existsSync(f));
  if (!overwrite || manifests.length === 0) {
    throw new Error(
      `${outDir}: folder is not empty; choose a new folder` +
        (manifests.length > 0 ? ' or pass overwrite (--force) to replace the synthetic set in it' : ''),
    );
  }
  // Remove only what the previous synthetic set wrote, then the folders it left empty.
  for (const manifestPath of manifests) {
    for (const entry of parseManifest(fs.readFileSync(manifestPath, 'utf8'), manifestPath)) {
      const file = path.resolve(outDir, entry.file);
      if (!file.startsWith(outDir + path.sep)) throw new Error(`${manifestPath}: "${entry.file}" lies outside the folder; not removing it`);
      fs.rmSync(file, { force: true });
    }
    fs.rmSync(manifestPath);
  }
  for (const type of fs.readdirSync(outDir)) {
    const typeDir = path.join(outDir, type);
    if (!fs.statSync(typeDir).isDirectory()) continue;
    for (const split of ['train', 'test']) {
      const dir = path.join(typeDir, split);
      if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    }
    if (fs.readdirSync(typeDir).length === 0) fs.rmdirSync(typeDir);
  }
}

/**
 * Generate a synthetic set into `options.outDir` (created; must be empty unless `overwrite` and
 * it holds a previous synthetic set) and return its manifest (also written as manifest.csv).
 */
export async function generateSyntheticFactory(options: SyntheticFactoryOptions): Promise<ManifestEntry[]> {
  const seed = options.seed ?? STANDARD_SYNTHETIC_SET.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`synthetic factory: seed must be an integer in 0..4294967295, got ${seed}`);
  const durationS = options.durationS ?? STANDARD_SYNTHETIC_SET.durationS;
  if (!(durationS > 0 && durationS <= 600)) throw new Error(`synthetic factory: durationS must be in (0, 600], got ${durationS}`);
  const snrRangeDb = options.snrRangeDb ?? SNR_RANGE_DB;
  if (!(Number.isFinite(snrRangeDb[0]) && Number.isFinite(snrRangeDb[1]) && snrRangeDb[0] <= snrRangeDb[1]))
    throw new Error(`synthetic factory: SNR range must be two finite numbers, low ≤ high, got ${snrRangeDb.join(', ')}`);
  const specs = planSyntheticFactory(options);
  const outDir = path.resolve(options.outDir);
  prepareOutDir(outDir, options.overwrite ?? false);

  const entries: ManifestEntry[] = [];
  const createdDirs = new Set<string>();
  const partialManifest = path.join(outDir, PARTIAL_MANIFEST);
  fs.writeFileSync(partialManifest, MANIFEST_HEADER + '\n');
  for (const [i, spec] of specs.entries()) {
    const file = clipRelativePath(spec);
    const target = path.join(outDir, file);
    const dir = path.dirname(target);
    if (!createdDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      createdDirs.add(dir);
    }
    const clip = renderSyntheticClip(seed, spec, durationS, snrRangeDb);
    fs.writeFileSync(target, encodeWav([clip.samples], SYNTH_SAMPLE_RATE_HZ, { kind: 'pcm', bits: 16 }));
    const entry: ManifestEntry = {
      file,
      machineType: spec.machineType,
      machineId: machineIdName(spec.idNumber),
      split: spec.split,
      label: spec.label,
      anomalyKind: spec.anomaly?.kind ?? '',
      difficulty: spec.anomaly?.difficulty ?? '',
      snrDb: clip.snrDb,
    };
    entries.push(entry);
    fs.appendFileSync(partialManifest, formatManifest([entry]).slice(MANIFEST_HEADER.length + 1));
    options.onProgress?.(i + 1, specs.length);
    // Let the event loop breathe (progress output, cancellation) between clips.
    if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
  }
  fs.writeFileSync(path.join(outDir, 'manifest.csv'), formatManifest(entries));
  fs.rmSync(partialManifest);
  return entries;
}
