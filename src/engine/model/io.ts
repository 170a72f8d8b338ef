/**
 * Model files: a folder with `model.json` (format, config, ŝ, history, parameter manifest and,
 * for checkpoints, the trainer's state) and `weights.bin` (all parameters, float32
 * little-endian, concatenated in manifest order; checkpoints add Adam's moments after them).
 * Written to a temporary sibling folder and renamed into place, so a reader never sees half a
 * model and a crash during saving leaves the previous model intact. Plain `fs`: no dependence on
 * tfjs-node's `file://` handler, and the files are the same whichever backend wrote them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeModelConfig, type ModelConfig } from './config.ts';
import { modelFromValues, parameterValues, type EmbeddingModel, type EpochRecord } from './model.ts';
import { networkSpec } from './network.ts';

export const MODEL_FORMAT = 'auscult-embedding-model';
export const MODEL_FORMAT_VERSION = 1;
const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 values from the start of weights.bin. */
  offset: number;
}

/** What a checkpoint needs beyond the model to continue training exactly where it stopped. */
export interface TrainerState {
  /** Epochs completed. */
  epoch: number;
  seed: number;
  batchSize: number;
  epochs: number;
  windowsPerEpoch?: number;
  adam: { step: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> };
}

interface ModelJson {
  format: string;
  version: number;
  config: ModelConfig;
  scale: number;
  /** Training steps taken (BN moving-average momentum schedule). */
  steps: number;
  history: EpochRecord[];
  savedWith: { tfjs: string; backend: string };
  params: TensorEntry[];
  trainer?: Omit<TrainerState, 'adam'> & { adamStep: number; adamM: TensorEntry[]; adamV: TensorEntry[] };
}

function littleEndianBytes(a: Float32Array): Uint8Array {
  // Float32Array uses the platform's byte order; every platform Node supports is little-endian.
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Saves `model` (and, for a checkpoint, the trainer's state) to the folder `dir`, atomically. */
export async function saveModel(dir: string, model: EmbeddingModel, trainer?: TrainerState): Promise<void> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const arrays: Float32Array[] = [];
  let offset = 0;
  const entry = (name: string, shape: number[], values: Float32Array): TensorEntry => {
    arrays.push(values);
    const e = { name, shape, offset };
    offset += values.length;
    return e;
  };
  const values = parameterValues(model);
  const params = model.specs.map((s, i) => entry(s.name, s.shape, values[i]!));
  const json: ModelJson = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    config: model.config,
    scale: model.scale,
    steps: model.steps,
    history: model.history,
    savedWith: { tfjs: model.tf.version.tfjs, backend: model.tf.getBackend() },
    params,
  };
  if (trainer) {
    const shapes = new Map(model.specs.map((s) => [s.name, s.shape]));
    const { adam, ...rest } = trainer;
    json.trainer = {
      ...rest,
      adamStep: adam.step,
      adamM: Object.entries(adam.m).map(([k, a]) => entry(k, shapes.get(k)!, a)),
      adamV: Object.entries(adam.v).map(([k, a]) => entry(k, shapes.get(k)!, a)),
    };
  }
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}`);
  fs.mkdirSync(tmp);
  try {
    const fd = fs.openSync(path.join(tmp, WEIGHTS_BIN), 'w');
    try {
      for (const a of arrays) fs.writeSync(fd, littleEndianBytes(a));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify(json));
    let old: string | undefined;
    if (fs.existsSync(target)) {
      if (!fs.existsSync(path.join(target, MODEL_JSON))) {
        throw new Error(`${target} exists and is not a model folder; refusing to replace it`);
      }
      old = path.join(parent, `.${path.basename(target)}.old-${process.pid}-${Date.now()}`);
      fs.renameSync(target, old);
    }
    fs.renameSync(tmp, target);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function fail(file: string, problem: string): never {
  throw new Error(`${file}: ${problem}`);
}

/** Reads a model folder; returns the model on the active backend and, for checkpoints, the trainer state. */
export async function loadModelWithState(dir: string): Promise<{ model: EmbeddingModel; trainer?: TrainerState }> {
  const jsonPath = path.join(path.resolve(dir), MODEL_JSON);
  const binPath = path.join(path.resolve(dir), WEIGHTS_BIN);
  if (!fs.existsSync(jsonPath)) fail(path.resolve(dir), `not a model folder (no ${MODEL_JSON})`);
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as ModelJson;
  } catch (err) {
    fail(jsonPath, `cannot be parsed (${(err as Error).message})`);
  }
  if (json.format !== MODEL_FORMAT) fail(jsonPath, `is not an Auscult embedding model (format "${json.format}")`);
  if (json.version !== MODEL_FORMAT_VERSION) fail(jsonPath, `has format version ${json.version}; this build reads version ${MODEL_FORMAT_VERSION}`);
  if (!fs.existsSync(binPath)) fail(binPath, 'is missing');
  const bytes = fs.readFileSync(binPath);
  if (bytes.byteLength % 4 !== 0) fail(binPath, `has ${bytes.byteLength} bytes, not whole float32 values`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const read = (e: TensorEntry): Float32Array => {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + size > all.length) fail(binPath, `is cut short (${e.name} needs values up to ${e.offset + size}, file has ${all.length})`);
    return all.slice(e.offset, e.offset + size);
  };
  let config: ModelConfig;
  try {
    config = { ...json.config, ...makeModelConfig({ ...json.config }) };
  } catch (err) {
    fail(jsonPath, `invalid config: ${(err as Error).message}`);
  }
  const { params: specs } = networkSpec(config);
  const byName = new Map(json.params.map((e) => [e.name, e]));
  const values = specs.map((s) => {
    const e = byName.get(s.name) ?? fail(jsonPath, `parameter ${s.name} is missing`);
    if (e.shape.join('x') !== s.shape.join('x')) fail(jsonPath, `parameter ${s.name} has shape [${e.shape}], expected [${s.shape}]`);
    return read(e);
  });
  const model = await modelFromValues(config, values, { scale: json.scale, steps: json.steps ?? 0, history: json.history });
  if (!json.trainer) return { model };
  const { adamStep, adamM, adamV, ...rest } = json.trainer;
  const trainer: TrainerState = {
    ...rest,
    adam: {
      step: adamStep,
      m: Object.fromEntries(adamM.map((e) => [e.name, read(e)])),
      v: Object.fromEntries(adamV.map((e) => [e.name, read(e)])),
    },
  };
  return { model, trainer };
}

/** Reads a model folder written by `saveModel`. */
export async function loadModel(dir: string): Promise<EmbeddingModel> {
  return (await loadModelWithState(dir)).model;
}
