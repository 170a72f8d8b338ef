/**
 * The health index a person reads instead of a raw back-end score: 0 = the median held-out normal
 * score of the machine (a typical normal clip), 1 = the alarm threshold. Linear in the score, so
 * 2 is "as far above typical as the threshold, twice over". Browser-safe.
 */
export interface HealthScale {
  /** Median of the machine's held-out normal training scores (index 0). */
  medianNormal: number;
  /** The active threshold (index 1). */
  threshold: number;
}

/** Score → health index; null when the scale is degenerate (threshold at or below the median). */
export function healthIndex(score: number, scale: HealthScale): number | null {
  const span = scale.threshold - scale.medianNormal;
  if (!(span > 0) || !Number.isFinite(score)) return null;
  return (score - scale.medianNormal) / span;
}

/** Health index → score (the threshold editor works in index units and saves a score). */
export function scoreAtIndex(index: number, scale: HealthScale): number {
  return scale.medianNormal + index * (scale.threshold - scale.medianNormal);
}

/** Index from which a machine is shown as "watch": close to its threshold. */
export const WATCH_INDEX = 0.8;
