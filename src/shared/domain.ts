/**
 * Domain types shared by the app layer, the API contract and every adapter (CLI, HTTP, IPC).
 * Timestamps are ISO-8601 UTC strings; durations are seconds.
 */

export type RecordingRole = 'train' | 'test' | 'monitor';
export type RecordingLabel = 'normal' | 'anomaly' | 'unknown';
export type RecordingStorage = 'copied' | 'referenced';
export type ModelKind = 'sc-adacos' | 'mean-logmel';
export type ModelStatus = 'queued' | 'training' | 'trained' | 'failed' | 'interrupted';
export type JobKind = 'import' | 'score' | 'train';
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type ThresholdMethod = 'default-quantile' | 'target-far' | 'manual';
/** Triage statuses a person sets, plus "cleared": an untriaged alarm a threshold change put below the threshold. */
export type AlarmStatus = 'new' | 'acknowledged' | 'confirmed_anomaly' | 'false_alarm' | 'cleared';
/** DCASE 2021–2025 domain of a clip: the usual conditions (source) or shifted ones (target). */
export type RecordingDomain = 'source' | 'target';

export const RECORDING_ROLES: readonly RecordingRole[] = ['train', 'test', 'monitor'];
export const RECORDING_LABELS: readonly RecordingLabel[] = ['normal', 'anomaly', 'unknown'];
/** The statuses a person sets when triaging an alarm. */
export const TRIAGE_STATUSES = ['new', 'acknowledged', 'confirmed_anomaly', 'false_alarm'] as const;
export const ALARM_STATUSES: readonly AlarmStatus[] = [...TRIAGE_STATUSES, 'cleared'];
/** Alarms that still need attention. */
export const OPEN_ALARM_STATUSES: readonly AlarmStatus[] = ['new', 'acknowledged'];

export interface Project {
  id: number;
  name: string;
  description: string;
  activeModelId: number | null;
  /** Folder watched for new recordings (imported as role "monitor"), or null. */
  watchDir: string | null;
  watchCopy: boolean;
  createdAt: string;
}

export interface Machine {
  id: number;
  projectId: number;
  /** Machine type, e.g. "fan". */
  type: string;
  /** Name or id within the type, e.g. "id_00". */
  name: string;
  location: string;
  notes: string;
  createdAt: string;
}

export interface AudioFormat {
  container: string;
  codec: string;
  channels: number;
  sampleRateHz: number;
  bitsPerSample: number;
}

export interface Recording {
  id: number;
  projectId: number;
  machineId: number;
  /** Where the audio lives now: inside the workspace (copied) or the user's file (referenced). */
  path: string;
  storage: RecordingStorage;
  originalPath: string;
  fileName: string;
  /** SHA-256 of the file bytes, hex. */
  contentHash: string;
  format: AudioFormat;
  durationS: number;
  role: RecordingRole;
  label: RecordingLabel;
  /** How it arrived: "import", "watch", "demo". */
  source: string;
  /**
   * Set when the clip (e.g. a false alarm) was added to the training set: its role is then
   * "train" and `roleBeforeTraining` holds the role it had, so the step can be undone.
   */
  addedToTraining: boolean;
  roleBeforeTraining: RecordingRole | null;
  importedAt: string;
  /** RMS level of the clip over all channels, dBFS (a full-scale square wave is 0 dB); null if unknown. */
  levelDbfs: number | null;
  /** Recoverable decoder problems found at import (e.g. a truncated data chunk). */
  warnings: string[];
  /** DCASE 2021–2025: section ("00"…), domain and attributes from the file name or attribute CSV. */
  section: string | null;
  domain: RecordingDomain | null;
  attributes: Record<string, string>;
}

export interface Model {
  id: number;
  projectId: number;
  name: string;
  /** "mean-logmel": the training-free baseline; "sc-adacos": the learned embedding. */
  kind: ModelKind;
  subclusters: number;
  preset: string;
  config: Record<string, unknown>;
  status: ModelStatus;
  metrics: Record<string, unknown> | null;
  /** Folder with weights, checkpoints and normalisation statistics (inside the workspace). */
  dir: string | null;
  jobId: number | null;
  createdAt: string;
  trainedAt: string | null;
}

export interface Job {
  id: number;
  projectId: number | null;
  kind: JobKind;
  status: JobStatus;
  params: Record<string, unknown>;
  /** 0…1. */
  progress: number;
  progressMessage: string;
  log: string;
  error: string | null;
  result: Record<string, unknown> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Score {
  id: number;
  recordingId: number;
  modelId: number;
  /** Which back-end produced the score ("mean-logmel", "gmm", …): the UI shows it. */
  backend: string;
  clipScore: number;
  /** One score per analysis window, in time order; the clip score is their maximum. */
  windowScores: number[];
  windowStartsS: number[];
  scoredAt: string;
}

export interface Threshold {
  id: number;
  machineId: number;
  modelId: number;
  value: number;
  method: ThresholdMethod;
  /** Quantile of held-out normal scores (default-quantile), e.g. 0.9. */
  quantile: number | null;
  /** Target false-alarm rate on normal clips (target-far). */
  targetFalseAlarmRate: number | null;
  setBy: string;
  setAt: string;
  /** False for superseded rows: the history is kept. */
  active: boolean;
  /** The threshold this one replaced (what `thresholds/undo` restores); null for the first. */
  replacesId: number | null;
}

export interface Alarm {
  id: number;
  recordingId: number;
  machineId: number;
  projectId: number;
  scoreId: number;
  thresholdId: number;
  scoreValue: number;
  thresholdValue: number;
  status: AlarmStatus;
  note: string;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  /** The threshold (row id) whose change cleared this alarm, when status is "cleared". */
  clearedByThresholdId: number | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: number | null;
  details: Record<string, unknown>;
}

export interface ImportError {
  id: number;
  jobId: number | null;
  projectId: number;
  path: string;
  error: string;
  at: string;
}
