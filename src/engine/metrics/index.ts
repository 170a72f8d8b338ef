/** Detection metrics (DCASE 2020 Task 2 definitions): ROC, AUC, McClish pAUC, threshold statistics. */
export {
  auc,
  partialAuc,
  rocCurve,
  thresholdStats,
  trapezoidArea,
  type BinaryLabels,
  type RocCurve,
  type RocOptions,
  type ThresholdStats,
} from './roc.ts';
