/**
 * The embedding model's configuration (method.md §3–5) and the training presets.
 */
import type { NormStatsJson } from '../features/normalization.ts';
import { N_MELS, WINDOW_FRAMES, type FeatureParams } from '../features/params.ts';

/** Embedding dimension D of the paper (output of the last dense layer). */
export const EMBEDDING_DIM = 128;
/** Input window of the network: frames × mel bands (× 1 channel). */
export const INPUT_FRAMES = WINDOW_FRAMES;
export const INPUT_MELS = N_MELS;
export const WINDOW_VALUES = INPUT_FRAMES * INPUT_MELS;
export const MAX_SUBCLUSTERS = 64;
export const LEAKY_RELU_SLOPE = 0.1;
/** Keras BatchNormalization defaults, used by the reference implementation. */
export const BN_MOMENTUM = 0.99;

/**
 * Momentum of the BN moving averages at training step `step` (0-based): min(0.99, (1 + t)/(10 + t)),
 * TensorFlow's ExponentialMovingAverage `num_updates` rule. Equal to Keras' 0.99 after 890 steps;
 * before that the averages forget their initial values (0 and 1) fast enough for short CPU runs
 * (with a flat 0.99, 80 steps of the quick preset would leave 45 % of the initial value in them).
 */
export function bnMomentum(step: number): number {
  return Math.min(BN_MOMENTUM, (1 + step) / (10 + step));
}
export const BN_EPSILON = 1e-3;
/** L2 weight decay on conv/dense kernels (Keras `l2(1e-5)`: adds 1e-5·Σw² to the loss). */
export const L2_WEIGHT_DECAY = 1e-5;
/** cos θ is clipped to [−1+ε, 1−ε] before arccos. */
export const COS_CLIP_EPS = 1e-7;

export type CentreMode = 'trainable' | 'fixed';
export type PresetName = 'quick' | 'standard' | 'paper';

/** Everything needed to rebuild the network and interpret its output. */
export interface ModelConfig {
  /** Number of classes C (machine ids). */
  numClasses: number;
  /** Sub-clusters per class S (1…64); S = 1 is AdaCos. */
  subclusters: number;
  /** Class names, index = class id (e.g. `fan_id_00`). */
  classNames: string[];
  embeddingDim: number;
  inputFrames: number;
  inputMels: number;
  /** Centres trained with the network (paper, 2021) or kept at their random initialisation. */
  centres: CentreMode;
  /** Feature parameters the training windows were computed with (features/params.ts), as JSON. */
  featureParams?: FeatureParams;
  /** Normalisation applied to windows before the network (null: windows arrive normalised). */
  normStats?: NormStatsJson | null;
  preset?: PresetName;
  seed?: number;
}

export interface TrainingPreset {
  name: PresetName;
  epochs: number;
  /** Windows drawn per epoch (random subset, without replacement); undefined = all. */
  windowsPerEpoch?: number;
  checkpointEveryEpochs: number;
  description: string;
}

/**
 * Presets. The network is always the paper's; presets differ only in how much data they see.
 * `quick` is sized for a 2-core CPU on wasm (≈ 25 samples/s per free core): 10 epochs × 512 windows, minutes.
 */
export const PRESETS: Record<PresetName, TrainingPreset> = {
  quick: {
    name: 'quick',
    epochs: 10,
    windowsPerEpoch: 512,
    checkpointEveryEpochs: 5,
    description: '10 epochs of 512 random windows each (CPU-only machines; minutes)',
  },
  standard: {
    name: 'standard',
    epochs: 50,
    checkpointEveryEpochs: 5,
    description: '50 epochs over all windows',
  },
  paper: {
    name: 'paper',
    epochs: 400,
    checkpointEveryEpochs: 10,
    description: '400 epochs over all windows, as in the paper',
  },
};

export function parsePresetName(name: string): PresetName {
  if (name === 'quick' || name === 'standard' || name === 'paper') return name;
  throw new Error(`unknown training preset "${name}" (expected quick, standard or paper)`);
}

/** Checks C, S and the class names; returns a complete config. */
export function makeModelConfig(init: {
  classNames: string[];
  subclusters: number;
  centres?: CentreMode;
  featureParams?: FeatureParams;
  normStats?: NormStatsJson | null;
  preset?: PresetName;
  seed?: number;
}): ModelConfig {
  const { classNames, subclusters } = init;
  if (classNames.length < 2) throw new Error(`the model needs at least 2 classes, got ${classNames.length}`);
  if (new Set(classNames).size !== classNames.length) throw new Error('class names must be unique');
  if (!Number.isInteger(subclusters) || subclusters < 1 || subclusters > MAX_SUBCLUSTERS) {
    throw new Error(`subclusters must be an integer in 1…${MAX_SUBCLUSTERS}, got ${subclusters}`);
  }
  if (init.normStats && (init.normStats.mean.length !== INPUT_MELS || init.normStats.std.length !== INPUT_MELS)) {
    throw new Error(`normalisation statistics must have ${INPUT_MELS} bands`);
  }
  return {
    numClasses: classNames.length,
    subclusters,
    classNames: [...classNames],
    embeddingDim: EMBEDDING_DIM,
    inputFrames: INPUT_FRAMES,
    inputMels: INPUT_MELS,
    centres: init.centres ?? 'trainable',
    featureParams: init.featureParams,
    normStats: init.normStats ?? null,
    preset: init.preset,
    seed: init.seed,
  };
}
