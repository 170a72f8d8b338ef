/**
 * ROC analysis as the DCASE 2020 Task 2 evaluator computes it (scikit-learn's `roc_curve`,
 * `auc`, `roc_auc_score(max_fpr=…)`): label 1 = anomaly (positive), higher score = more anomalous.
 * Tied scores form one ROC point (a diagonal segment), exactly as scikit-learn groups them.
 */

/** Labels: 1 (or true) = anomalous, 0 (or false) = normal. */
export type BinaryLabels = ArrayLike<number | boolean>;

export interface RocCurve {
  /** False-positive rates, non-decreasing from 0 to 1. */
  fpr: Float64Array;
  /** True-positive rates, non-decreasing from 0 to 1. */
  tpr: Float64Array;
  /** Decision thresholds (score ≥ threshold ⇒ anomalous), decreasing; the first is +Infinity. */
  thresholds: Float64Array;
}

export interface RocOptions {
  /**
   * Drop points on straight segments between their neighbours, like scikit-learn's default
   * `drop_intermediate=True` (fewer points for plots; areas unchanged). Default false: one point
   * per distinct score.
   */
  dropIntermediate?: boolean;
}

function checkInputs(
  labels: BinaryLabels,
  scores: ArrayLike<number>,
): { positives: number; negatives: number } {
  if (labels.length !== scores.length) {
    throw new Error(`ROC: ${labels.length} labels but ${scores.length} scores`);
  }
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = Number(labels[i]);
    if (l !== 0 && l !== 1) throw new Error(`ROC: label ${String(labels[i])} at index ${i} is not 0/1`);
    if (Number.isNaN(scores[i]!)) throw new Error(`ROC: score at index ${i} is NaN`);
    positives += l;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new Error(
      `ROC needs both normal and anomalous samples (got ${negatives} normal, ${positives} anomalous); AUC is undefined`,
    );
  }
  return { positives, negatives };
}

/**
 * ROC curve points, as scikit-learn's `roc_curve(labels, scores, drop_intermediate=…)`:
 * starts at (0, 0) with threshold +Infinity, then one point per distinct score, descending.
 */
export function rocCurve(
  labels: BinaryLabels,
  scores: ArrayLike<number>,
  options: RocOptions = {},
): RocCurve {
  checkInputs(labels, scores);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    scores[a]! > scores[b]! ? -1 : scores[a]! < scores[b]! ? 1 : a - b,
  );
  // Cumulative true/false positives at the last index of every run of equal scores.
  const tps: number[] = [0];
  const fps: number[] = [0];
  const thresholds: number[] = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    if (Number(labels[i]) === 1) tp++;
    else fp++;
    if (r === n - 1 || scores[order[r + 1]!]! !== scores[i]!) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(scores[i]!);
    }
  }
  let keep = tps.map((_, i) => i);
  if (options.dropIntermediate && tps.length > 2) {
    // scikit-learn keeps a point where the second difference of fps or tps is non-zero.
    keep = keep.filter(
      (i) =>
        i === 0 ||
        i === tps.length - 1 ||
        fps[i - 1]! - 2 * fps[i]! + fps[i + 1]! !== 0 ||
        tps[i - 1]! - 2 * tps[i]! + tps[i + 1]! !== 0,
    );
  }
  return {
    fpr: Float64Array.from(keep, (i) => fps[i]! / fp),
    tpr: Float64Array.from(keep, (i) => tps[i]! / tp),
    thresholds: Float64Array.from(keep, (i) => thresholds[i]!),
  };
}

/** Area under a piecewise-linear curve by the trapezoidal rule (x non-decreasing). */
export function trapezoidArea(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return area;
}

/** Area under the ROC curve (scikit-learn's `roc_auc_score`), in [0, 1]. */
export function auc(labels: BinaryLabels, scores: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(labels, scores);
  return trapezoidArea(fpr, tpr);
}

/**
 * McClish-standardised partial AUC for FPR ∈ [0, maxFpr] — the DCASE pAUC, equal to scikit-learn's
 * `roc_auc_score(labels, scores, max_fpr=maxFpr)`: with the raw area A up to maxFpr (TPR
 * interpolated linearly at maxFpr), pAUC = ½·(1 + (A − p²/2)/(p − p²/2)), p = maxFpr.
 * 0.5 for a random ranking, 1 for a perfect one.
 */
export function partialAuc(labels: BinaryLabels, scores: ArrayLike<number>, maxFpr = 0.1): number {
  if (!(maxFpr > 0 && maxFpr <= 1)) throw new Error(`pAUC: maxFpr must be in (0, 1], got ${maxFpr}`);
  const { fpr, tpr } = rocCurve(labels, scores);
  if (maxFpr === 1) return trapezoidArea(fpr, tpr);
  // First index with fpr > maxFpr (numpy searchsorted side='right'); fpr ends at 1 > maxFpr.
  let stop = 0;
  while (fpr[stop]! <= maxFpr) stop++;
  const x0 = fpr[stop - 1]!;
  const x1 = fpr[stop]!;
  const y0 = tpr[stop - 1]!;
  const y1 = tpr[stop]!;
  const tprAtMax = y0 + ((maxFpr - x0) * (y1 - y0)) / (x1 - x0);
  const xs = [...fpr.subarray(0, stop), maxFpr];
  const ys = [...tpr.subarray(0, stop), tprAtMax];
  const partial = trapezoidArea(xs, ys);
  const minArea = 0.5 * maxFpr * maxFpr;
  const maxArea = maxFpr;
  return 0.5 * (1 + (partial - minArea) / (maxArea - minArea));
}

export interface ThresholdStats {
  /** Anomalies with score ≥ threshold. */
  tp: number;
  /** Normal samples with score ≥ threshold (false alarms). */
  fp: number;
  tn: number;
  /** Anomalies with score < threshold (missed). */
  fn: number;
  /** tp / (tp + fn); NaN without anomalies. */
  tpr: number;
  /** fp / (fp + tn); NaN without normal samples. */
  fpr: number;
  /** tp / (tp + fp); NaN when nothing is flagged. */
  precision: number;
  /** 2·tp / (2·tp + fp + fn); NaN when there is nothing to find and nothing is flagged. */
  f1: number;
}

/** Confusion counts and rates when every sample with score ≥ threshold is called anomalous. */
export function thresholdStats(
  labels: BinaryLabels,
  scores: ArrayLike<number>,
  threshold: number,
): ThresholdStats {
  if (labels.length !== scores.length)
    throw new Error(`threshold stats: ${labels.length} labels but ${scores.length} scores`);
  if (Number.isNaN(threshold)) throw new Error('threshold stats: threshold is NaN');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = Number(labels[i]);
    if (l !== 0 && l !== 1)
      throw new Error(`threshold stats: label ${String(labels[i])} at index ${i} is not 0/1`);
    const flagged = scores[i]! >= threshold;
    if (l === 1) {
      if (flagged) tp++;
      else fn++;
    } else if (flagged) fp++;
    else tn++;
  }
  return {
    tp,
    fp,
    tn,
    fn,
    tpr: tp / (tp + fn),
    fpr: fp / (fp + tn),
    precision: tp / (tp + fp),
    f1: (2 * tp) / (2 * tp + fp + fn),
  };
}
