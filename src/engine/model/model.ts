/**
 * An embedding model in memory: its config, its parameters as TF variables on the active backend,
 * the adaptive scale ŝ and the training history.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { loadTf } from '../tf.ts';
import type { ModelConfig } from './config.ts';
import { initialValues, networkSpec, type NetworkLayout, type ParamSpec } from './network.ts';
import { initialScale } from './sc-adacos.ts';

/** One line of the training history (one per finished epoch). */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss of the epoch (weighted cross-entropy + L2 term, as Keras reports it). */
  loss: number;
  /** ŝ at the end of the epoch. */
  scale: number;
  samplesPerS: number;
  durationS: number;
}

export interface EmbeddingModel {
  config: ModelConfig;
  specs: ParamSpec[];
  layout: NetworkLayout;
  /** Parameters by logical name (see `networkSpec`). */
  vars: Map<string, tfjs.Variable>;
  /** The adaptive scale ŝ (non-trainable state). */
  scale: number;
  /** Training steps taken so far (drives the BN moving-average momentum). */
  steps: number;
  history: EpochRecord[];
  tf: typeof tfjs;
}

let modelCounter = 0;

/** Builds a model on the active backend from given parameter values (in `specs` order). */
export async function modelFromValues(
  config: ModelConfig,
  values: Float32Array[],
  state: { scale?: number; steps?: number; history?: EpochRecord[] } = {},
): Promise<EmbeddingModel> {
  const { tf } = await loadTf();
  const { params: specs, layout } = networkSpec(config);
  if (values.length !== specs.length) throw new Error(`expected ${specs.length} parameter arrays, got ${values.length}`);
  // TF variable names are process-global: a per-model prefix lets several models coexist.
  const prefix = `auscult-model-${++modelCounter}`;
  const vars = new Map<string, tfjs.Variable>();
  specs.forEach((spec, i) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (values[i]!.length !== size) throw new Error(`parameter ${spec.name}: ${values[i]!.length} values, expected ${size}`);
    vars.set(spec.name, tf.variable(tf.tensor(values[i]!, spec.shape), spec.trainable, `${prefix}/${spec.name}`));
  });
  return {
    config,
    specs,
    layout,
    vars,
    scale: state.scale ?? initialScale(config.numClasses, config.subclusters),
    steps: state.steps ?? 0,
    history: state.history ? [...state.history] : [],
    tf,
  };
}

/** A freshly initialised model (Glorot-uniform kernels and centres from `seed`). */
export async function createModel(config: ModelConfig, seed = config.seed ?? 0): Promise<EmbeddingModel> {
  const { params } = networkSpec(config);
  return modelFromValues({ ...config, seed }, initialValues(params, seed));
}

/** Current parameter values, in `specs` order. */
export function parameterValues(model: EmbeddingModel): Float32Array[] {
  return model.specs.map((s) => model.vars.get(s.name)!.dataSync() as Float32Array).map((a) => Float32Array.from(a));
}

export function disposeModel(model: EmbeddingModel): void {
  for (const v of model.vars.values()) v.dispose();
  model.vars.clear();
}

/** The centre matrix W as C·S rows of 128 values: row k = class ⌊k/S⌋, sub-cluster k mod S. */
export function centreRows(model: EmbeddingModel): Float32Array[] {
  const { embeddingDim: d, numClasses, subclusters } = model.config;
  const w = model.vars.get(model.layout.centres)!.dataSync();
  const k = numClasses * subclusters;
  return Array.from({ length: k }, (_, col) => {
    const row = new Float32Array(d);
    for (let i = 0; i < d; i++) row[i] = w[i * k + col]!;
    return row;
  });
}

/** The S centres (128-d each) of class `classIndex`, e.g. to initialise that machine's GMM. */
export function classCentres(model: EmbeddingModel, classIndex: number): Float32Array[] {
  const { numClasses, subclusters } = model.config;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= numClasses) {
    throw new Error(`class index ${classIndex} is out of range 0…${numClasses - 1}`);
  }
  return centreRows(model).slice(classIndex * subclusters, (classIndex + 1) * subclusters);
}
