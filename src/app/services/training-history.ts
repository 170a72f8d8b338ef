import type { TrainingEpoch } from '../../shared/domain.ts';

/** The epochs kept with a model (`metrics.history`): one record per finished epoch. */
export function trainingHistory(metrics: Record<string, unknown> | null): TrainingEpoch[] {
  const h = metrics?.history;
  return Array.isArray(h) ? (h as TrainingEpoch[]) : [];
}
