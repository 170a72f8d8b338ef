/**
 * Inference: embeddings of many windows in batches (BatchNorm on moving statistics, no mixup, ŝ
 * left unchanged), with the model's own class probabilities for the "direct output" back-end.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { normalizeInPlace, type NormStats } from '../features/normalization.ts';
import { INPUT_FRAMES, INPUT_MELS, WINDOW_VALUES } from './config.ts';
import type { EmbeddingModel } from './model.ts';
import { embeddingForward } from './network.ts';
import { classProbabilities, cosineLogits } from './sc-adacos.ts';

export const DEFAULT_EMBED_BATCH = 32;

export interface EmbedResult {
  /** N embeddings of 128 values. */
  embeddings: Float32Array[];
  /** N × C class probabilities P (softmax over C·S scaled cosines, summed per class). */
  classProbs: Float32Array[];
}

/** Embeds normalised 313 × 128 windows. */
export function embedWindows(model: EmbeddingModel, windows: readonly Float32Array[], batchSize = DEFAULT_EMBED_BATCH): EmbedResult {
  const { tf, config } = model;
  const embeddings: Float32Array[] = [];
  const classProbs: Float32Array[] = [];
  const d = config.embeddingDim;
  const C = config.numClasses;
  windows.forEach((w, i) => {
    if (w.length !== WINDOW_VALUES) throw new Error(`window ${i} has ${w.length} values, expected ${INPUT_FRAMES}×${INPUT_MELS}`);
  });
  for (let start = 0; start < windows.length; start += batchSize) {
    const n = Math.min(batchSize, windows.length - start);
    const buf = new Float32Array(n * WINDOW_VALUES);
    for (let i = 0; i < n; i++) buf.set(windows[start + i]!, i * WINDOW_VALUES);
    const [emb, probs] = tf.tidy(() => {
      const x = tf.tensor4d(buf, [n, INPUT_FRAMES, INPUT_MELS, 1]);
      const e = embeddingForward({ tf, vars: model.vars, training: false }, model.layout, x);
      const cos = cosineLogits(tf, e, model.vars.get(model.layout.centres)! as unknown as tfjs.Tensor2D);
      return [e, classProbabilities(tf, cos, model.scale, C, config.subclusters)];
    });
    const e = emb.dataSync();
    const p = probs.dataSync();
    emb.dispose();
    probs.dispose();
    for (let i = 0; i < n; i++) {
      embeddings.push(Float32Array.from(e.subarray(i * d, (i + 1) * d)));
      classProbs.push(Float32Array.from(p.subarray(i * C, (i + 1) * C)));
    }
  }
  return { embeddings, classProbs };
}

/** The normalisation statistics saved in the model (its training statistics); throws if it has none. */
export function modelNormStats(model: EmbeddingModel): NormStats {
  const stats = model.config.normStats;
  if (!stats) throw new Error('the model carries no normalisation statistics; pass normalised windows to embedWindows');
  return { mean: Float32Array.from(stats.mean), std: Float32Array.from(stats.std), frameCount: stats.frameCount };
}

/**
 * Normalises un-normalised windows (log-Mel dB, as the feature cache stores them) in place with the
 * statistics saved in the model; returns them. Throws if the model has none. (Windows read from the
 * feature cache: `cache.readWindows(key, modelNormStats(model))`.)
 */
export function normalizeWindowsForModel(model: EmbeddingModel, windows: Float32Array[]): Float32Array[] {
  const s = modelNormStats(model);
  for (const w of windows) normalizeInPlace(w, s);
  return windows;
}
