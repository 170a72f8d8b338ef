/**
 * Combining scores: the ensemble over models (method.md §6: sum of the scores of the models
 * trained with S = 1, 2, 4, …, 64) and the clip score of a long recording from its windows.
 */

/** Element-wise sum of several models' scores for the same clips (all of equal length). */
export function ensembleScores(scoreLists: readonly ArrayLike<number>[]): Float64Array {
  if (scoreLists.length === 0) throw new Error('ensemble: no score lists to combine');
  const n = scoreLists[0]!.length;
  const out = new Float64Array(n);
  scoreLists.forEach((scores, m) => {
    if (scores.length !== n)
      throw new Error(`ensemble: score list ${m} has ${scores.length} scores, list 0 has ${n}`);
    for (let i = 0; i < n; i++) out[i]! += scores[i]!;
  });
  return out;
}

/**
 * Clip score of a recording scored window by window (one score per 313-frame window, see
 * features/windows.ts): the maximum, i.e. a recording is as anomalous as its most anomalous
 * window — a short fault in a long recording is not averaged away.
 */
export function clipScoreFromWindows(windowScores: ArrayLike<number>): number {
  if (windowScores.length === 0) throw new Error('clip score: the recording has no window scores');
  let max = -Infinity;
  for (let i = 0; i < windowScores.length; i++) {
    const s = windowScores[i]!;
    if (Number.isNaN(s)) throw new Error(`clip score: window ${i} has a NaN score`);
    if (s > max) max = s;
  }
  return max;
}
