/**
 * The sub-cluster AdaCos embedding model (method.md §3–5): the public API used by the DCASE
 * runner, the app's training/scoring services and the CLI.
 */
export {
  EMBEDDING_DIM,
  INPUT_FRAMES,
  INPUT_MELS,
  MAX_SUBCLUSTERS,
  PRESETS,
  WINDOW_VALUES,
  makeModelConfig,
  parsePresetName,
  type CentreMode,
  type ModelConfig,
  type PresetName,
  type TrainingPreset,
} from './config.ts';
export {
  centreRows,
  classCentres,
  createModel,
  disposeModel,
  parameterValues,
  type EmbeddingModel,
  type EpochRecord,
} from './model.ts';
export { countTrainableParams, networkSpec, type ParamSpec } from './network.ts';
export { classProbabilities, cosineLogits, initialScale, updateScale, type ScaleUpdate } from './sc-adacos.ts';
export { loadModel, loadModelWithState, saveModel, MODEL_FORMAT, type TrainerState } from './io.ts';
export { embedWindows, modelNormStats, normalizeWindowsForModel, DEFAULT_EMBED_BATCH, type EmbedResult } from './embed.ts';
export {
  trainModel,
  classBalancedWeights,
  mixupBatch,
  epochOrder,
  DEFAULT_BATCH_SIZE,
  type TrainOptions,
  type TrainProgressEvent,
  type TrainResult,
} from './trainer.ts';
export { TrainingDivergedError, trainStep, Adam } from './train-step.ts';
export {
  cachedRecordingsTrainingSet,
  featureCacheTrainingSet,
  inMemoryTrainingSet,
  type CachedWindowRef,
  type TrainingSet,
} from './training-set.ts';
