/**
 * The machine views behind the line overview and the machine dashboard: health index scale,
 * per-machine state, score series with paging, score distribution (held-out normal vs monitored),
 * ROC on labelled clips and the measured clip rate.
 */
import { partialAuc, auc, rocCurve } from '../../engine/metrics/index.ts';
import type { HealthScaleView } from '../../shared/health.ts';
import type {
  LineOverview,
  MachineCard,
  AlarmListPage,
  ScoreDistribution,
  ScoreSeriesPage,
  SeriesPoint,
} from '../../shared/screens-api.ts';
import type { Machine } from '../../shared/domain.ts';
import type { MachineState } from '../../shared/api.ts';
import type { AppContext } from '../app-context.ts';
import { MonitoringQueries, type AlarmFilter, type SeriesRow } from '../db/repos/monitoring.ts';
import type { Workspace } from '../workspace.ts';
import { healthIndex, healthScale } from './health.ts';
import { machineOverviews } from './machine-overview.ts';
import { labelledScores } from './thresholds.ts';

/** Highest health index the histogram bins reach: clips beyond it are counted in the last bin. */
export const HISTOGRAM_CAP_INDEX = 3;
/** Clips in a card's sparkline. */
export const SPARKLINE_CLIPS = 30;
/** A clip rate is only measured over at least this many monitored clips and this long a span. */
const MIN_RATE_CLIPS = 5;
const MIN_RATE_SPAN_S = 3600;

/** The health index scale of a machine under a model when it is usable (threshold above the median). */
export function usableScale(ws: Workspace, machineId: number, modelId: number | null): HealthScaleView | null {
  if (modelId === null) return null;
  const { heldoutMedian, threshold } = healthScale(ws, machineId, modelId);
  return heldoutMedian !== null && threshold !== null && threshold > heldoutMedian ? { heldoutMedian, threshold } : null;
}

function point(row: SeriesRow, scale: HealthScaleView | null): SeriesPoint {
  return { ...row, index: scale ? healthIndex(row.clipScore, scale) : null };
}

const SEVERITY: Record<MachineState, number> = { alarm: 3, watch: 2, ok: 1, 'no model': 0 };

/** The line overview: a card per machine with the app's machine state, sparkline and counts; worst first. */
export function lineOverview(app: AppContext, projectId: number, modelId: number | null): LineOverview {
  const { ws } = app;
  const project = app.project(projectId);
  const q = new MonitoringQueries(ws.db);
  const startOfDay = new Date();
  startOfDay.setHours(0, 0, 0, 0);
  const machines: MachineCard[] = machineOverviews(app, projectId, modelId).map((o) => {
    const machine = app.machine(o.counts.machineId);
    const scale = usableScale(ws, machine.id, modelId);
    const recent =
      modelId === null
        ? []
        : q
            .seriesPage(machine.id, modelId, undefined, SPARKLINE_CLIPS)
            .map((r) => point(r, scale))
            .reverse();
    return {
      machine,
      status: o.status,
      levelFinding: o.lastScore?.levelFinding ?? null,
      threshold: o.scale?.threshold ?? null,
      scale,
      backend: o.counts.backend,
      last: recent.at(-1) ?? null,
      recent,
      openAlarms: o.counts.openAlarms,
      scoredToday: modelId === null ? 0 : q.scoredSince(machine.id, modelId, startOfDay.toISOString()),
      monitoredCount: o.counts.recordingCount - o.counts.trainCount,
      trainCount: o.counts.trainCount,
    };
  });
  machines.sort(
    (a, b) =>
      SEVERITY[b.status.state] - SEVERITY[a.status.state] ||
      b.openAlarms - a.openAlarms ||
      (b.last?.index ?? -Infinity) - (a.last?.index ?? -Infinity) ||
      a.machine.id - b.machine.id,
  );
  return {
    project,
    model: modelId === null ? null : app.model(modelId),
    machines,
    openAlarms: machines.reduce((n, m) => n + m.openAlarms, 0),
  };
}

export function scoreSeries(
  ws: Workspace,
  machine: Machine,
  modelId: number | null,
  before: number | undefined,
  limit: number,
): ScoreSeriesPage {
  const scale = usableScale(ws, machine.id, modelId);
  if (modelId === null)
    return { machine, modelId, scale, threshold: null, items: [], nextBefore: null, total: 0 };
  const q = new MonitoringQueries(ws.db);
  const rows = q.seriesPage(machine.id, modelId, before, limit + 1);
  const items = rows.slice(0, limit).map((r) => point(r, scale));
  return {
    machine,
    modelId,
    scale,
    threshold: ws.thresholds.active(machine.id, modelId)?.value ?? null,
    items,
    nextBefore: rows.length > limit ? items.at(-1)!.recordingId : null,
    total: q.seriesCount(machine.id, modelId),
  };
}

/** Counts of `values` in the bins given by `edges` (last bin closed; values outside are clamped in). */
export function histogramCounts(values: readonly number[], edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  if (bins < 1) return counts;
  const lo = edges[0]!;
  const width = (edges[bins]! - lo) / bins;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const i = width > 0 ? Math.floor((v - lo) / width) : 0;
    counts[Math.min(bins - 1, Math.max(0, i))]!++;
  }
  return counts;
}

/**
 * Evenly spaced bin edges covering `values` and [lo, hi] (in index units: always 0 and 1), up to
 * `cap` at most: far-off values (an index of 15) land in the last bin, so the bins near the
 * threshold stay readable.
 */
export function binEdges(values: readonly number[], bins: number, include: [number, number], cap = Infinity): number[] {
  const finite = values.filter(Number.isFinite);
  let lo = Math.min(include[0], ...finite);
  let hi = Math.min(Math.max(include[1], cap), Math.max(include[1], ...finite));
  if (!(hi > lo)) hi = lo + 1;
  const pad = (hi - lo) * 0.02;
  lo -= pad;
  hi += pad;
  return Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
}

export function scoreDistribution(
  ws: Workspace,
  machine: Machine,
  modelId: number | null,
  bins: number,
): ScoreDistribution {
  const q = new MonitoringQueries(ws.db);
  const arrivals = q.monitoredArrivals(machine.id);
  const spanS =
    arrivals.first && arrivals.last ? (Date.parse(arrivals.last) - Date.parse(arrivals.first)) / 1000 : 0;
  const clipsPerDay =
    arrivals.clips >= MIN_RATE_CLIPS && spanS >= MIN_RATE_SPAN_S ? ((arrivals.clips - 1) / spanS) * 86_400 : null;
  const base = {
    machine,
    modelId,
    clipsPerDay,
    clipRateBasis: { clips: arrivals.clips, spanS },
  };
  const scale = usableScale(ws, machine.id, modelId);
  if (modelId === null || !scale) {
    return {
      ...base,
      scale: null,
      threshold: modelId === null ? null : (ws.thresholds.active(machine.id, modelId)?.value ?? null),
      edges: [],
      heldoutCounts: [],
      monitoredCounts: [],
      heldoutScores: modelId === null ? [] : (ws.models.backendFit(modelId, machine.id)?.heldoutScores ?? []),
      labelled: { normal: [], anomaly: [] },
      roc: null,
    };
  }
  const toIndex = (s: number) => healthIndex(s, scale)!;
  const { heldout, normal, anomaly } = labelledScores(ws, machine.id, modelId);
  const monitored = q.seriesPage(machine.id, modelId, undefined, 100_000).map((r) => r.clipScore);
  const heldoutIdx = heldout.map(toIndex);
  const monitoredIdx = monitored.map(toIndex);
  const edges = binEdges([...heldoutIdx, ...monitoredIdx], bins, [0, 1], HISTOGRAM_CAP_INDEX);
  const labelledNormal = normal.slice(heldout.length);
  let roc: ScoreDistribution['roc'] = null;
  if (anomaly.length > 0 && normal.length > 0) {
    const labels = [...normal.map(() => 0), ...anomaly.map(() => 1)];
    const scores = [...normal, ...anomaly];
    const curve = rocCurve(labels, scores, { dropIntermediate: true });
    roc = {
      fpr: Array.from(curve.fpr),
      tpr: Array.from(curve.tpr),
      auc: auc(labels, scores),
      pauc: partialAuc(labels, scores, 0.1),
      normal: normal.length,
      anomalies: anomaly.length,
    };
  }
  return {
    ...base,
    scale,
    threshold: scale.threshold,
    edges,
    heldoutCounts: histogramCounts(heldoutIdx, edges),
    monitoredCounts: histogramCounts(monitoredIdx, edges),
    heldoutScores: heldout,
    labelled: { normal: labelledNormal, anomaly },
    roc,
  };
}

/** The alarms of a line with machine, file and health index (one scale per machine), newest first. */
export function alarmList(app: AppContext, f: AlarmFilter, limit: number, offset: number): AlarmListPage {
  const { ws } = app;
  app.project(f.projectId);
  const q = new MonitoringQueries(ws.db);
  const modelId = app.effectiveModelId(f.projectId);
  const scales = new Map<number, HealthScaleView | null>();
  const machines = new Map<number, Machine>();
  const items = q.alarmPage(f, limit, offset).map(({ id, fileName }) => {
    const alarm = app.alarm(id);
    if (!machines.has(alarm.machineId)) {
      machines.set(alarm.machineId, app.machine(alarm.machineId));
      scales.set(alarm.machineId, usableScale(ws, alarm.machineId, modelId));
    }
    const m = machines.get(alarm.machineId)!;
    const scale = scales.get(alarm.machineId)!;
    return {
      alarm,
      machine: { id: m.id, type: m.type, name: m.name },
      fileName,
      index: scale ? healthIndex(alarm.scoreValue, scale) : null,
    };
  });
  return { items, total: q.alarmCount(f) };
}
