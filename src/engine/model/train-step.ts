/**
 * One SC-AdaCos training step on a mixed batch, and the Adam optimiser it uses.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { INPUT_FRAMES, INPUT_MELS, L2_WEIGHT_DECAY } from './config.ts';
import type { EmbeddingModel } from './model.ts';
import { applyBnUpdates, embeddingForward, type BnBatchStats } from './network.ts';
import { classProbabilities, cosineLogits, updateScale, weightedCrossEntropy, type ScaleUpdate } from './sc-adacos.ts';

type Tensor = tfjs.Tensor;

export const ADAM_LEARNING_RATE = 1e-3;
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
/** Keras' Adam epsilon. */
const ADAM_EPSILON = 1e-7;

/**
 * Adam (Kingma & Ba, in Keras' form: bias correction folded into the step size). Written out so
 * that its moments are ordinary named arrays we can checkpoint and restore on any backend.
 */
export class Adam {
  step = 0;
  readonly m = new Map<string, tfjs.Variable>();
  readonly v = new Map<string, tfjs.Variable>();

  constructor(
    private readonly tf: typeof tfjs,
    readonly learningRate = ADAM_LEARNING_RATE,
  ) {}

  apply(vars: Map<string, tfjs.Variable>, grads: Map<string, Tensor>): void {
    const { tf } = this;
    this.step++;
    const t = this.step;
    const lrT = (this.learningRate * Math.sqrt(1 - ADAM_BETA2 ** t)) / (1 - ADAM_BETA1 ** t);
    tf.tidy(() => {
      for (const [name, g] of grads) {
        const w = vars.get(name)!;
        let m = this.m.get(name);
        let v = this.v.get(name);
        if (!m || !v) {
          m = tf.variable(tf.zerosLike(w), false);
          v = tf.variable(tf.zerosLike(w), false);
          this.m.set(name, m);
          this.v.set(name, v);
        }
        m.assign(tf.add(tf.mul(m, ADAM_BETA1), tf.mul(g, 1 - ADAM_BETA1)));
        v.assign(tf.add(tf.mul(v, ADAM_BETA2), tf.mul(tf.square(g), 1 - ADAM_BETA2)));
        w.assign(tf.sub(w, tf.div(tf.mul(m, lrT), tf.add(tf.sqrt(v), ADAM_EPSILON))));
      }
    });
  }

  /** Moments as plain arrays, for checkpoints. */
  state(): { step: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> } {
    const dump = (map: Map<string, tfjs.Variable>) =>
      Object.fromEntries([...map].map(([k, t]) => [k, Float32Array.from(t.dataSync() as Float32Array)]));
    return { step: this.step, m: dump(this.m), v: dump(this.v) };
  }

  restore(state: { step: number; m: Record<string, Float32Array>; v: Record<string, Float32Array> }, shapes: Map<string, number[]>): void {
    this.dispose();
    this.step = state.step;
    for (const [k, arr] of Object.entries(state.m)) this.m.set(k, this.tf.variable(this.tf.tensor(arr, shapes.get(k)), false));
    for (const [k, arr] of Object.entries(state.v)) this.v.set(k, this.tf.variable(this.tf.tensor(arr, shapes.get(k)), false));
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

function disposeStats(stats: BnBatchStats[]): void {
  for (const s of stats) {
    s.mean.dispose();
    s.variance.dispose();
  }
}

export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

export interface StepInput {
  /** n × 313 × 128 mixed, normalised windows. */
  x: Float32Array;
  /** n × C mixed labels. */
  yMixed: Float32Array;
  /** n mixed class-balance weights. */
  sampleWeights: Float32Array;
  n: number;
}

export interface StepResult {
  /** Weighted cross-entropy + L2 term. */
  loss: number;
  scale: ScaleUpdate;
}

export interface LossAndGradients {
  /** Weighted cross-entropy of the batch (without the L2 term). */
  dataLoss: number;
  /** L2 term 1e-5·Σw² over conv/dense kernels. */
  l2Loss: number;
  /** Gradients by logical parameter name, L2 term included (caller disposes). */
  grads: Map<string, Tensor>;
  scale: ScaleUpdate;
  /** BN batch statistics of the forward pass (caller applies or disposes). */
  bnStats: BnBatchStats[];
}

/**
 * Forward pass in training mode, ŝ update (used in this step, no gradient through it) and the
 * gradients of the loss. Changes nothing in the model. Throws TrainingDivergedError when ŝ or the
 * loss is not finite.
 */
export function lossAndGradients(model: EmbeddingModel, input: StepInput): LossAndGradients {
  const { tf, vars, layout, config } = model;
  const { n } = input;
  const C = config.numClasses;
  const S = config.subclusters;
  const trainable = model.specs.filter((s) => s.trainable).map((s) => vars.get(s.name)!);
  const bnStats: BnBatchStats[] = [];
  let update: ScaleUpdate | undefined;
  const x = tf.tensor4d(input.x, [n, INPUT_FRAMES, INPUT_MELS, 1]);
  const y = tf.tensor2d(input.yMixed, [n, C]);
  const w = tf.tensor1d(input.sampleWeights);
  let result: { value: tfjs.Scalar; grads: tfjs.NamedTensorMap };
  try {
    result = tf.variableGrads(() => {
      const emb = embeddingForward({ tf, vars, training: true, bnStats }, layout, x);
      const cos = cosineLogits(tf, emb, vars.get(layout.centres)! as unknown as tfjs.Tensor2D);
      update = updateScale(cos.dataSync(), input.yMixed, n, C, S, model.scale);
      if (!Number.isFinite(update.sNew)) {
        throw new TrainingDivergedError(`the adaptive scale diverged (ŝ = ${update.sNew}, previous ${model.scale})`);
      }
      return weightedCrossEntropy(tf, classProbabilities(tf, cos, update.sNew, C, S), y, w);
    }, trainable);
  } catch (err) {
    disposeStats(bnStats);
    throw err;
  } finally {
    x.dispose();
    y.dispose();
    w.dispose();
  }
  // Variable names carry a per-model prefix; map gradients back to logical names.
  const byTfName = new Map(model.specs.map((s) => [vars.get(s.name)!.name, s]));
  const grads = new Map<string, Tensor>();
  let l2Loss = 0;
  const dataLoss = result.value.dataSync()[0]!;
  result.value.dispose();
  for (const [tfName, g] of Object.entries(result.grads)) {
    const spec = byTfName.get(tfName)!;
    if (spec.kind === 'conv-kernel' || spec.kind === 'dense-kernel') {
      // d/dw of λ·Σw² is 2λw; added here rather than through autodiff.
      const wv = vars.get(spec.name)!;
      tf.tidy(() => {
        l2Loss += L2_WEIGHT_DECAY * tf.sum(tf.square(wv)).dataSync()[0]!;
        grads.set(spec.name, tf.keep(tf.add(g, tf.mul(wv, 2 * L2_WEIGHT_DECAY))));
      });
      g.dispose();
    } else {
      grads.set(spec.name, g);
    }
  }
  if (!Number.isFinite(dataLoss + l2Loss)) {
    for (const g of grads.values()) g.dispose();
    disposeStats(bnStats);
    throw new TrainingDivergedError(`the loss is not finite (${dataLoss}) at ŝ = ${update!.sNew}`);
  }
  return { dataLoss, l2Loss, grads, scale: update!, bnStats };
}

/**
 * One training step: lossAndGradients, then Adam, the BN moving statistics and ŝ. Throws
 * TrainingDivergedError (before changing any weight) when ŝ or the loss is not finite.
 */
export function trainStep(model: EmbeddingModel, adam: Adam, input: StepInput): StepResult {
  const r = lossAndGradients(model, input);
  adam.apply(model.vars, r.grads);
  for (const g of r.grads.values()) g.dispose();
  applyBnUpdates(model.tf, model.vars, r.bnStats, model.steps);
  model.steps++;
  model.scale = r.scale.sNew;
  return { loss: r.dataLoss + r.l2Loss, scale: r.scale };
}
