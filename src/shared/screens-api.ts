/**
 * The part of the API contract that exists for the watch-and-judge screens (line overview,
 * machine dashboard, clip inspector): read-only views computed from stored scores, the feature
 * cache and the machines' normal profiles. Spread into `API_METHODS` (api.ts). Browser-safe.
 */
import { z } from 'zod';
import type { Alarm, AlarmStatus, Machine, Model, Project, Recording, RecordingLabel } from './domain.ts';
import type { ClipLevel, MachineStatus } from './api.ts';
import type { HealthScaleView } from './health.ts';

const id = z.number().int().positive();

/** One scored test/monitor clip of a machine, as charts and lists show it. */
export interface SeriesPoint {
  recordingId: number;
  fileName: string;
  /** When the clip arrived (import time), ISO UTC. */
  at: string;
  clipScore: number;
  /** Health index (0 = typical normal, 1 = threshold); null without a usable scale. */
  index: number | null;
  label: RecordingLabel;
  alarmId: number | null;
  alarmStatus: AlarmStatus | null;
}

export interface MachineCard {
  machine: Machine;
  /** State and reason by the machine-state rules (src/app/services/health.ts). */
  status: MachineStatus;
  /** The latest clip's level finding ("recorded 12.0 dB quieter than training"), if any: "check recording". */
  levelFinding: string | null;
  threshold: number | null;
  scale: HealthScaleView | null;
  backend: string | null;
  last: SeriesPoint | null;
  /** The most recent scored clips, oldest first (the card's sparkline). */
  recent: SeriesPoint[];
  openAlarms: number;
  scoredToday: number;
  monitoredCount: number;
  trainCount: number;
}

export interface LineOverview {
  project: Project;
  /** The model whose scores the line shows (the active one, else the baseline). */
  model: Model | null;
  /** Worst first: alarm, watch, ok, no model; then most open alarms, then the last clip's index. */
  machines: MachineCard[];
  openAlarms: number;
}

export interface ScoreSeriesPage {
  machine: Machine;
  modelId: number | null;
  scale: HealthScaleView | null;
  threshold: number | null;
  /** Newest first. */
  items: SeriesPoint[];
  /** Pass as `before` for the next (older) page; null at the oldest clip. */
  nextBefore: number | null;
  total: number;
}

export interface ScoreDistribution {
  machine: Machine;
  modelId: number | null;
  scale: HealthScaleView | null;
  threshold: number | null;
  /** Histogram bin edges in health-index units (bins + 1 values); the last bin also holds every clip beyond it. */
  edges: number[];
  heldoutCounts: number[];
  monitoredCounts: number[];
  /** Held-out normal training scores (raw), for live false-alarm rates while a threshold is dragged. */
  heldoutScores: number[];
  /** Labelled test/monitor clips (raw scores), for live detection rates. */
  labelled: { normal: number[]; anomaly: number[] };
  /** ROC on labelled clips (held-out normal + labelled), when both classes exist. */
  roc: { fpr: number[]; tpr: number[]; auc: number; pauc: number; normal: number; anomalies: number } | null;
  /** Monitored clips per day measured from arrival times; null when too few or too close together. */
  clipsPerDay: number | null;
  clipRateBasis: { clips: number; spanS: number };
}

export interface ClipInspection {
  recording: Recording;
  machine: Machine;
  model: Model | null;
  score: {
    clipScore: number;
    index: number | null;
    backend: string;
    windowScores: number[];
    windowIndices: (number | null)[];
    windowStartsS: number[];
    windowDurationS: number;
    scoredAt: string;
  } | null;
  threshold: number | null;
  scale: HealthScaleView | null;
  alarm: Alarm | null;
  /** Deviation of the clip's log-Mel from the machine's normal profile, σ per band and time. */
  deviation: {
    bandsHz: number[];
    columnStartS: number[];
    columnEndS: number[];
    /** Column-major: values[c * bands + b], rounded to 0.01 σ. */
    values: number[];
  };
  /** Per band: the clip's mean level, the normal mean and spread (dB), the deviation (σ). */
  bandProfile: {
    bandsHz: number[];
    clipMeanDb: number[];
    normalMeanDb: number[];
    normalStdDb: number[];
    deviation: number[];
  };
  /** Mean log-Mel level of the clip minus the normal profile's, averaged over bands, dB (positive: louder). */
  spectralLevelDiffDb: number;
  /** RMS level against the machine's training clips, with the level finding (app-layer's rule). */
  level: ClipLevel;
  normalClipCount: number;
  /** The training clip whose held-out score is nearest the median: what "normal" sounds like. */
  typicalNormal: { recordingId: number; fileName: string; clipScore: number; index: number | null } | null;
  /** The machine's flagged clips (with an alarm), newest first: j/k walk them. */
  flaggedRecordingIds: number[];
}

/** One alarm as the alarms list shows it: the machine and file, not ids. */
export interface AlarmListItem {
  alarm: Alarm;
  machine: Pick<Machine, 'id' | 'type' | 'name'>;
  fileName: string;
  /** Health index of the score that raised it, under the threshold scale of today. */
  index: number | null;
}

export interface AlarmListPage {
  items: AlarmListItem[];
  /** All alarms matching the filters (the page may hold fewer). */
  total: number;
}

/** Declares a method: the result type is carried, not validated (as in api.ts). */
function returns<R>() {
  return <A extends z.ZodType>(args: A): { args: A; result?: R } => ({ args });
}

export const SCREEN_METHODS = {
  /** Machine cards of a line, worst first: state, health index, sparkline, open alarms, clips today. */
  'monitoring/lineOverview': returns<LineOverview>()(z.object({ projectId: id }).strict()),
  /** A machine's scored test/monitor clips, newest first, paged by recording id (`before`). */
  'monitoring/scoreSeries': returns<ScoreSeriesPage>()(
    z
      .object({
        machineId: id,
        modelId: id.optional(),
        before: id.optional(),
        limit: z.number().int().min(1).max(5000).default(500),
      })
      .strict(),
  ),
  /** Held-out normal vs monitored score histogram, ROC, clip rate: the dashboard's charts. */
  'monitoring/scoreDistribution': returns<ScoreDistribution>()(
    z
      .object({ machineId: id, modelId: id.optional(), bins: z.number().int().min(5).max(200).default(40) })
      .strict(),
  ),
  /** The alarms of a line with machine, file and health index; filters by machine, status and time; newest first. */
  'monitoring/alarms': returns<AlarmListPage>()(
    z
      .object({
        projectId: id,
        machineId: id.optional(),
        status: z.array(z.enum(['new', 'acknowledged', 'confirmed_anomaly', 'false_alarm', 'cleared'])).optional(),
        /** Only alarms raised at or after this time (ISO-8601). */
        since: z.iso.datetime({ offset: true }).optional(),
        limit: z.number().int().min(1).max(20_000).default(5000),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
  ),
  /** Everything the clip inspector shows beyond the audio: scores, difference from normal, typical normal clip. */
  'inspection/clip': returns<ClipInspection>()(
    z
      .object({
        recordingId: id,
        modelId: id.optional(),
        maxColumns: z.number().int().min(10).max(2000).default(320),
      })
      .strict(),
  ),
} as const;
