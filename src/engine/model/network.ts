/**
 * The embedding network of method.md §3 (Table I of the paper) in functional TensorFlow.js ops:
 * input [N, 313, 128, 1] → ResNet → Dense 128 (linear) = the embedding; plus the SC-AdaCos centre
 * matrix W [128, C·S]. Parameters are plain variables in a fixed order, so that initialisation
 * (from our own seeded generator), saving and the optimiser are the same on every backend.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { Random } from '../datasets/prng.ts';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL } from '../tf-kernels/index.ts';
import {
  BN_EPSILON,
  bnMomentum,
  EMBEDDING_DIM,
  INPUT_FRAMES,
  INPUT_MELS,
  LEAKY_RELU_SLOPE,
  type ModelConfig,
} from './config.ts';

type Tf = typeof tfjs;
type Tensor = tfjs.Tensor;
type Tensor4D = tfjs.Tensor4D;
type Tensor2D = tfjs.Tensor2D;

export type ParamKind = 'conv-kernel' | 'dense-kernel' | 'bias' | 'bn-gamma' | 'bn-beta' | 'bn-moving' | 'centres';

export interface ParamSpec {
  /** Logical name, e.g. `s32u1/conv1/kernel`; saved in model files. */
  name: string;
  shape: number[];
  kind: ParamKind;
  /** Updated by the optimiser (moving BN statistics and fixed centres are not). */
  trainable: boolean;
  /** Glorot fan-in / fan-out for kernels and centres. */
  fans?: [number, number];
  /** Initial constant for biases and BN parameters. */
  initValue?: number;
}

const STAGE_WIDTHS = [16, 32, 64, 128] as const;
const UNITS_PER_STAGE = 2;

interface ConvLayer {
  kernel: string;
  bias: string;
  stride: number;
}
interface BnLayer {
  gamma: string;
  beta: string;
  movingMean: string;
  movingVariance: string;
}
interface ResidualUnit {
  conv1: ConvLayer;
  bn1: BnLayer;
  conv2: ConvLayer;
  /** Down-sampling units: MaxPool 2×2/2 (same) → Conv 1×1 on the shortcut. */
  shortcut?: ConvLayer;
  bnOut: BnLayer;
}
export interface NetworkLayout {
  stemConv: ConvLayer;
  stemBn: BnLayer;
  units: ResidualUnit[];
  dense: { kernel: string; bias: string };
  centres: string;
}

/** Parameter specs in their fixed order, and the layout that names them. */
export function networkSpec(config: Pick<ModelConfig, 'numClasses' | 'subclusters' | 'centres'>): {
  params: ParamSpec[];
  layout: NetworkLayout;
} {
  const params: ParamSpec[] = [];
  const conv = (prefix: string, k: number, cin: number, cout: number, stride: number): ConvLayer => {
    params.push({ name: `${prefix}/kernel`, shape: [k, k, cin, cout], kind: 'conv-kernel', trainable: true, fans: [k * k * cin, k * k * cout] });
    params.push({ name: `${prefix}/bias`, shape: [cout], kind: 'bias', trainable: true, initValue: 0 });
    return { kernel: `${prefix}/kernel`, bias: `${prefix}/bias`, stride };
  };
  const bn = (prefix: string, c: number): BnLayer => {
    params.push({ name: `${prefix}/gamma`, shape: [c], kind: 'bn-gamma', trainable: true, initValue: 1 });
    params.push({ name: `${prefix}/beta`, shape: [c], kind: 'bn-beta', trainable: true, initValue: 0 });
    params.push({ name: `${prefix}/movingMean`, shape: [c], kind: 'bn-moving', trainable: false, initValue: 0 });
    params.push({ name: `${prefix}/movingVariance`, shape: [c], kind: 'bn-moving', trainable: false, initValue: 1 });
    return { gamma: `${prefix}/gamma`, beta: `${prefix}/beta`, movingMean: `${prefix}/movingMean`, movingVariance: `${prefix}/movingVariance` };
  };
  const stemConv = conv('stem/conv', 7, 1, STAGE_WIDTHS[0], 2);
  const stemBn = bn('stem/bn', STAGE_WIDTHS[0]);
  const units: ResidualUnit[] = [];
  let width: number = STAGE_WIDTHS[0];
  for (const w of STAGE_WIDTHS) {
    for (let u = 1; u <= UNITS_PER_STAGE; u++) {
      const down = u === 1 && w !== STAGE_WIDTHS[0];
      const p = `s${w}u${u}`;
      const unit: ResidualUnit = {
        conv1: conv(`${p}/conv1`, 3, width, w, down ? 2 : 1),
        bn1: bn(`${p}/bn1`, w),
        conv2: conv(`${p}/conv2`, 3, w, w, 1),
        shortcut: down ? conv(`${p}/shortcut`, 1, width, w, 1) : undefined,
        bnOut: bn(`${p}/bnOut`, w),
      };
      units.push(unit);
      width = w;
    }
  }
  // 313×128 → stem /2 → 157×64 → pool 3/2 → 78×31 → 39×16 → 20×8 → 10×4 → pool 10×1 → 1×4×128.
  const flat = 4 * STAGE_WIDTHS[3];
  params.push({ name: 'head/dense/kernel', shape: [flat, EMBEDDING_DIM], kind: 'dense-kernel', trainable: true, fans: [flat, EMBEDDING_DIM] });
  params.push({ name: 'head/dense/bias', shape: [EMBEDDING_DIM], kind: 'bias', trainable: true, initValue: 0 });
  const cs = config.numClasses * config.subclusters;
  params.push({ name: 'centres', shape: [EMBEDDING_DIM, cs], kind: 'centres', trainable: config.centres === 'trainable', fans: [EMBEDDING_DIM, cs] });
  return { params, layout: { stemConv, stemBn, units, dense: { kernel: 'head/dense/kernel', bias: 'head/dense/bias' }, centres: 'centres' } };
}

/** Trainable parameter count of the paper's network: 772,192 for C = 41, S = 1. */
export function countTrainableParams(config: Pick<ModelConfig, 'numClasses' | 'subclusters' | 'centres'>): number {
  return networkSpec({ ...config, centres: 'trainable' }).params
    .filter((p) => p.trainable)
    .reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Initial values (Glorot-uniform kernels and centres, constants elsewhere) from a seeded generator. */
export function initialValues(specs: ParamSpec[], seed: number): Float32Array[] {
  const rng = new Random(seed);
  return specs.map((p) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(size);
    if (p.fans) {
      const limit = Math.sqrt(6 / (p.fans[0] + p.fans[1]));
      for (let i = 0; i < size; i++) v[i] = rng.uniform(-limit, limit);
    } else {
      v.fill(p.initValue ?? 0);
    }
    return v;
  });
}

/** Moving-statistics update produced by one training forward pass (kept tensors; caller disposes). */
export interface BnBatchStats {
  layer: BnLayer;
  mean: Tensor;
  variance: Tensor;
  count: number;
}

export interface ForwardContext {
  tf: Tf;
  vars: Map<string, tfjs.Variable>;
  training: boolean;
  /** Filled in training mode with the batch statistics of every BN layer. */
  bnStats?: BnBatchStats[];
}

function v(ctx: ForwardContext, name: string): tfjs.Variable {
  const t = ctx.vars.get(name);
  if (!t) throw new Error(`model parameter ${name} is missing`);
  return t;
}

/**
 * BatchNorm over all axes but the last. Training: batch statistics with an analytic gradient
 * (a·dy + b·x + c per channel: four element-wise passes, where tfjs' own gradient tiles the
 * per-channel terms to full size). Inference: moving statistics.
 */
function batchNorm(ctx: ForwardContext, x: Tensor, layer: BnLayer): Tensor {
  const { tf } = ctx;
  const gamma = v(ctx, layer.gamma);
  const beta = v(ctx, layer.beta);
  if (!ctx.training) {
    return tf.batchNorm(x, v(ctx, layer.movingMean), v(ctx, layer.movingVariance), beta, gamma, BN_EPSILON);
  }
  return trainingBatchNorm(tf, x, gamma, beta, (mean, variance, count) => ctx.bnStats?.push({ layer, mean: tf.keep(mean), variance: tf.keep(variance), count }));
}

/**
 * Training-mode BatchNorm over all axes but the last, with batch statistics and an analytic
 * gradient: dx = a·dy + b·x + c with per-channel a, b, c (four element-wise passes; tfjs' own
 * gradient of batchNorm tiles the per-channel terms to full size). `onStats` receives the batch
 * mean and (biased) variance.
 */
export function trainingBatchNorm(
  tf: Tf,
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  onStats?: (mean: Tensor, variance: Tensor, count: number) => void,
): Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const count = x.size / x.shape[x.rank - 1]!;
  // On wasm: two fused kernels (tf-kernels/wasm-batch-norm.ts), same formulas, two passes each.
  const fused = tf.getKernel(BATCH_NORM_TRAIN_KERNEL, tf.getBackend()) !== undefined;
  const attrs = { varianceEpsilon: BN_EPSILON };
  const op = tf.customGrad((...args: (Tensor | tfjs.GradSaveFunc)[]) => {
    const [xIn, g, b, save] = args as [Tensor, Tensor, Tensor, tfjs.GradSaveFunc];
    if (fused) {
      const [value, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN_KERNEL, { x: xIn, gamma: g, beta: b }, attrs) as Tensor[];
      onStats?.(mean!, variance!, count);
      save([xIn, mean!, variance!, g]);
      const gradFunc = (dy: Tensor, saved: Tensor[]): Tensor[] => {
        const [xs, mu, vr, gm] = saved as [Tensor, Tensor, Tensor, Tensor];
        return tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { dy, x: xs, mean: mu, variance: vr, gamma: gm }, attrs) as Tensor[];
      };
      return { value: value!, gradFunc };
    }
    const { mean, variance } = tf.moments(xIn, axes);
    const rstd = tf.rsqrt(tf.add(variance, BN_EPSILON));
    onStats?.(mean, variance, count);
    save([xIn, mean, rstd, g]);
    const value = tf.batchNorm(xIn, mean, variance, b, g, BN_EPSILON);
    const gradFunc = (dy: Tensor, saved: Tensor[]): Tensor[] => {
      const [xs, mu, rs, gm] = saved as [Tensor, Tensor, Tensor, Tensor];
      const sumDy = tf.sum(dy, axes);
      const sumDyX = tf.sum(tf.mul(dy, xs), axes);
      const dGamma = tf.mul(rs, tf.sub(sumDyX, tf.mul(mu, sumDy)));
      const a = tf.mul(gm, rs);
      const bCoef = tf.div(tf.mul(tf.neg(a), tf.mul(rs, dGamma)), count);
      const c = tf.sub(tf.div(tf.mul(tf.neg(a), sumDy), count), tf.mul(bCoef, mu));
      const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(xs, bCoef)), c);
      return [dx, dGamma, sumDy];
    };
    return { value, gradFunc };
  });
  return op(x, gamma, beta);
}

function conv(ctx: ForwardContext, x: Tensor4D, layer: ConvLayer, inputIsData = false): Tensor4D {
  const { tf } = ctx;
  const kernel = v(ctx, layer.kernel) as unknown as Tensor4D;
  const bias = v(ctx, layer.bias);
  if (inputIsData || !ctx.training) {
    // Plain conv: its gradient is lazy per input, so no input gradient is computed for data.
    if (ctx.training) return tf.add(tf.conv2d(x, kernel, layer.stride, 'same'), bias);
    return tf.fused.conv2d({ x, filter: kernel, strides: layer.stride, pad: 'same', bias });
  }
  return tf.fused.conv2d({ x, filter: kernel, strides: layer.stride, pad: 'same', bias });
}

function lrelu(ctx: ForwardContext, x: Tensor4D): Tensor4D {
  return ctx.tf.leakyRelu(x, LEAKY_RELU_SLOPE);
}

/** Embeddings [N, 128] of normalised windows x [N, 313, 128, 1]. */
export function embeddingForward(ctx: ForwardContext, layout: NetworkLayout, x: Tensor4D): Tensor2D {
  const { tf } = ctx;
  if (x.shape[1] !== INPUT_FRAMES || x.shape[2] !== INPUT_MELS || x.shape[3] !== 1) {
    throw new Error(`network input must be [N, ${INPUT_FRAMES}, ${INPUT_MELS}, 1], got [${x.shape.join(', ')}]`);
  }
  let h = conv(ctx, x, layout.stemConv, true);
  h = lrelu(ctx, h);
  h = batchNorm(ctx, h, layout.stemBn) as Tensor4D;
  h = tf.maxPool(h, 3, 2, 'valid');
  for (const unit of layout.units) {
    let r = conv(ctx, lrelu(ctx, h), unit.conv1);
    r = batchNorm(ctx, lrelu(ctx, r), unit.bn1) as Tensor4D;
    r = conv(ctx, r, unit.conv2);
    const shortcut = unit.shortcut ? conv(ctx, tf.maxPool(h, 2, 2, 'same'), unit.shortcut) : h;
    h = batchNorm(ctx, tf.add(shortcut, r), unit.bnOut) as Tensor4D;
  }
  h = tf.maxPool(h, [10, 1], [10, 1], 'same');
  const flat = tf.reshape(h, [h.shape[0], -1]) as Tensor2D;
  return tf.add(tf.matMul(flat, v(ctx, layout.dense.kernel) as unknown as Tensor2D), v(ctx, layout.dense.bias));
}

/** Moving-average update of every BN layer's statistics at training step `step` (see bnMomentum); disposes the stats. */
export function applyBnUpdates(tf: Tf, vars: Map<string, tfjs.Variable>, stats: BnBatchStats[], step: number): void {
  const momentum = bnMomentum(step);
  tf.tidy(() => {
    for (const s of stats) {
      const mm = vars.get(s.layer.movingMean)!;
      const mv = vars.get(s.layer.movingVariance)!;
      // Unbiased batch variance for the moving estimate, as TensorFlow's fused batch norm does.
      const unbiased = tf.mul(s.variance, s.count / Math.max(1, s.count - 1));
      mm.assign(tf.add(tf.mul(mm, momentum), tf.mul(s.mean, 1 - momentum)));
      mv.assign(tf.add(tf.mul(mv, momentum), tf.mul(unbiased, 1 - momentum)));
    }
  });
  for (const s of stats) {
    s.mean.dispose();
    s.variance.dispose();
  }
  stats.length = 0;
}
