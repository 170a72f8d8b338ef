/**
 * The health index scale as screens use it (definition and forward mapping in
 * src/app/services/health.ts: 0 = median held-out normal score, 1 = the threshold, linear in the
 * score). The threshold editor works in index units and saves a score: it needs the inverse.
 * Browser-safe.
 */
/** A machine whose latest clip is at or above this health index is "watch" (close to its threshold). */
export const WATCH_HEALTH_INDEX = 0.7;

export interface HealthScaleView {
  /** Median held-out normal score of the machine's back-end (index 0). */
  heldoutMedian: number;
  /** The active threshold (index 1). */
  threshold: number;
}

/** Health index → score. */
export function scoreAtHealthIndex(index: number, scale: HealthScaleView): number {
  return scale.heldoutMedian + index * (scale.threshold - scale.heldoutMedian);
}

/** Score → health index (the one definition; the app layer's healthIndex uses it); null when the scale is degenerate. */
export function healthIndexOf(score: number, scale: HealthScaleView): number | null {
  const span = scale.threshold - scale.heldoutMedian;
  return span > 0 && Number.isFinite(score) ? (score - scale.heldoutMedian) / span : null;
}
