/**
 * The clip inspector's data: the clip's scores on the health index scale, its difference from the
 * machine's normal profile (per-band mean and spread of its training log-Mel frames) as a
 * band × time map and a band profile, its level against training, and the typical normal clip
 * to compare it with. Features come from the feature cache (computed once per file content).
 */
import { bandProfile, deviationMap, melBandCentresHz, stitchWindows } from '../../engine/features/deviation.ts';
import { FeatureCache, type CachedRecording } from '../../engine/features/cache.ts';
import type { NormStats } from '../../engine/features/normalization.ts';
import { WINDOW_FRAMES, HOP_SAMPLES, SAMPLE_RATE_HZ } from '../../engine/features/params.ts';
import { ConflictError } from '../errors.ts';
import type { Machine, Recording } from '../../shared/domain.ts';
import type { ClipInspection } from '../../shared/screens-api.ts';
import { MonitoringQueries } from '../db/repos/monitoring.ts';
import type { Workspace } from '../workspace.ts';
import { usableScale } from './monitoring.ts';
import { healthIndex } from './health.ts';
import { clipLevel } from './level.ts';
import { trainingSignature } from './scoring.ts';
import { quantile } from './thresholds.ts';

const WINDOW_DURATION_S = (WINDOW_FRAMES * HOP_SAMPLES) / SAMPLE_RATE_HZ;
const FLAGGED_WALK_LIMIT = 2000;
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The cached features of a recording. Looked up by the content hash taken at import (the cache
 * key is the same SHA-256); when not cached yet, the file is read and must still have that content.
 */
export async function recordingFeatures(cache: FeatureCache, rec: Recording): Promise<CachedRecording> {
  const cached = cache.get(rec.contentHash);
  if (cached) return cached;
  let entry: CachedRecording;
  try {
    entry = await cache.ensureFile(rec.path);
  } catch (err) {
    throw new ConflictError(`recording ${rec.id} (${rec.fileName}) cannot be read: ${(err as Error).message}`);
  }
  if (entry.key !== rec.contentHash)
    throw new ConflictError(`recording file changed since import: ${rec.path} no longer has the content imported as recording ${rec.id}`);
  return entry;
}

/** Normal profiles by workspace, machine and training-set signature (recomputed when the set changes). */
const profiles = new Map<string, { stats: NormStats; clips: number }>();
const PROFILE_MEMO_LIMIT = 64;

/**
 * A machine's normal log-Mel profile: per-band mean and standard deviation (dB) over every frame
 * of its normal training clips — the statistics the baseline normalises with (method.md §2).
 */
export async function normalProfile(
  ws: Workspace,
  cache: FeatureCache,
  machine: Machine,
): Promise<{ stats: NormStats; clips: number }> {
  const train = ws.recordings.trainingSet(machine.id);
  if (train.length === 0)
    throw new ConflictError(`machine ${machine.type}/${machine.name} has no normal training clips to compare with`);
  const key = `${ws.dir}|${machine.id}|${trainingSignature(train)}`;
  const known = profiles.get(key);
  if (known) return known;
  const entries: CachedRecording[] = [];
  for (const rec of train) entries.push(await recordingFeatures(cache, rec));
  const profile = { stats: cache.normStats(entries), clips: train.length };
  if (profiles.size >= PROFILE_MEMO_LIMIT) profiles.delete(profiles.keys().next().value!);
  profiles.set(key, profile);
  return profile;
}

/** The training clip whose held-out score is nearest the median held-out score, under a model. */
export function typicalNormalClip(
  ws: Workspace,
  machineId: number,
  modelId: number,
): { recording: Recording; clipScore: number } | null {
  const fit = ws.models.backendFit(modelId, machineId);
  const ids = (fit?.params as { heldoutRecordingIds?: number[] } | undefined)?.heldoutRecordingIds;
  if (!fit || !ids || ids.length !== fit.heldoutScores.length || ids.length === 0) return null;
  const median = quantile(fit.heldoutScores, 0.5);
  let best = 0;
  fit.heldoutScores.forEach((s, i) => {
    if (Math.abs(s - median) < Math.abs(fit.heldoutScores[best]! - median)) best = i;
  });
  const recording = ws.recordings.get(ids[best]!);
  return recording ? { recording, clipScore: fit.heldoutScores[best]! } : null;
}

export async function inspectRecording(
  ws: Workspace,
  rec: Recording,
  machine: Machine,
  modelId: number | null,
  maxColumns: number,
): Promise<ClipInspection> {
  const cache = new FeatureCache(ws.cacheDir);
  const entry = await recordingFeatures(cache, rec);
  const profile = await normalProfile(ws, cache, machine);
  const { frames, firstFrame } = stitchWindows(cache.readWindows(entry.key), entry.windowStartFrames);
  const map = deviationMap(frames, firstFrame, profile.stats, maxColumns);
  const bands = bandProfile(frames, profile.stats);
  const bandsHz = melBandCentresHz().map((hz) => Math.round(hz));
  const levelDiffDb =
    bands.clipMeanDb.reduce((sum, v, m) => sum + v - profile.stats.mean[m]!, 0) / bands.clipMeanDb.length;

  const scale = usableScale(ws, machine.id, modelId);
  const stored = modelId === null ? undefined : ws.scores.get(rec.id, modelId);
  const toIndex = (s: number) => (scale ? healthIndex(s, scale) : null);
  const queries = new MonitoringQueries(ws.db);
  const alarmId = stored ? queries.alarmIdForScore(stored.id) : null;
  const alarm = alarmId === null ? null : (ws.alarms.get(alarmId) ?? null);
  const typical = modelId === null ? null : typicalNormalClip(ws, machine.id, modelId);
  return {
    recording: rec,
    machine,
    model: modelId === null ? null : (ws.models.get(modelId) ?? null),
    score: stored
      ? {
          clipScore: stored.clipScore,
          index: toIndex(stored.clipScore),
          backend: stored.backend,
          windowScores: stored.windowScores,
          windowIndices: stored.windowScores.map(toIndex),
          windowStartsS: stored.windowStartsS,
          windowDurationS: WINDOW_DURATION_S,
          scoredAt: stored.scoredAt,
        }
      : null,
    threshold: modelId === null ? null : (ws.thresholds.active(machine.id, modelId)?.value ?? null),
    scale,
    alarm,
    deviation: {
      bandsHz,
      columnStartS: map.columnStartS.map((t) => Math.round(t * 1000) / 1000),
      columnEndS: map.columnEndS.map((t) => Math.round(t * 1000) / 1000),
      values: Array.from(map.values, round2),
    },
    bandProfile: {
      bandsHz,
      clipMeanDb: Array.from(bands.clipMeanDb, round2),
      normalMeanDb: Array.from(profile.stats.mean, round2),
      normalStdDb: Array.from(profile.stats.std, round2),
      deviation: Array.from(bands.deviation, round2),
    },
    spectralLevelDiffDb: round2(levelDiffDb),
    level: clipLevel(rec.levelDbfs, ws.recordings.trainingLevelDbfs(machine.id)),
    normalClipCount: profile.clips,
    typicalNormal: typical && {
      recordingId: typical.recording.id,
      fileName: typical.recording.fileName,
      clipScore: typical.clipScore,
      index: toIndex(typical.clipScore),
    },
    flaggedRecordingIds:
      modelId === null ? [] : queries.flaggedRecordingIds(machine.id, modelId, FLAGGED_WALK_LIMIT),
  };
}
