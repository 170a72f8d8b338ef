/**
 * How well the label-free estimate ranks detectors: per machine id, Spearman's rank correlation
 * between the candidates' estimated AUC (perturbations, no labels) and their true AUC on labelled
 * test clips; summarised as the mean over ids and how often the estimate's pick is the truly best.
 */

/** Ranks 1…n, ties get the average of their ranks. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's ρ (Pearson correlation of average ranks); NaN when either side is constant. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`spearman: ${a.length} vs ${b.length} values`);
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const n = a.length;
  const ma = ra.reduce((s, x) => s + x, 0) / n;
  const mb = rb.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i]! - ma) * (rb[i]! - mb);
    saa += (ra[i]! - ma) ** 2;
    sbb += (rb[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

export interface EstimateQuality {
  /** Mean over ids of Spearman's ρ (ids where it is defined). */
  meanSpearman: number;
  /** Ids where ρ is defined (estimates and true AUCs not all tied). */
  ids: number;
  /** Ids where the chosen detector has the best true AUC (ties count as best). */
  pickedBest: number;
  /** Ids compared. */
  total: number;
  /** Mean over ids of (best true AUC − true AUC of the pick): what the choice gives away. */
  meanRegret: number;
}

/**
 * `perId`: for each id, the candidates' estimated and true AUC (same order) and the chosen one's index.
 */
export function estimateQuality(perId: { estimated: number[]; trueAuc: number[]; chosen: number }[]): EstimateQuality {
  const rhos = perId.map((p) => spearman(p.estimated, p.trueAuc)).filter(Number.isFinite);
  let pickedBest = 0;
  let regret = 0;
  for (const p of perId) {
    const best = Math.max(...p.trueAuc);
    const picked = p.trueAuc[p.chosen]!;
    if (picked >= best - 1e-12) pickedBest++;
    regret += best - picked;
  }
  return {
    meanSpearman: rhos.length > 0 ? rhos.reduce((a, b) => a + b, 0) / rhos.length : NaN,
    ids: rhos.length,
    pickedBest,
    total: perId.length,
    meanRegret: perId.length > 0 ? regret / perId.length : NaN,
  };
}
