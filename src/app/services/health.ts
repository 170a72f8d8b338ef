/**
 * Health index and machine state: the numbers a person reads instead of raw back-end scores
 * (negative log-likelihoods in the tens of thousands mean nothing on a factory floor).
 *
 * Health index of a clip, per machine and model: 0 = the median held-out normal score of the
 * machine's back-end (a typical normal clip), 1 = the machine's threshold (≥ 1 alarms), linear
 * in the score in between and beyond. Undefined (null) while the threshold is not above that
 * median (e.g. a manual threshold set below it).
 */
import type { ClipHealth, MachineStatus } from '../../shared/api.ts';
import type { RecordingRole } from '../../shared/domain.ts';
import type { Workspace } from '../workspace.ts';
import { isAlarming } from './alarm-rule.ts';

/** A machine whose latest clip is at or above this health index is "watch" (close to its threshold). */
export const WATCH_HEALTH_INDEX = 0.7;

/** What turns a raw score into a health index for one machine under one model. */
export interface HealthScale {
  heldoutMedian: number | null;
  threshold: number | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function healthScale(ws: Workspace, machineId: number, modelId: number): HealthScale {
  return {
    heldoutMedian: median(ws.models.backendFit(modelId, machineId)?.heldoutScores ?? []),
    threshold: ws.thresholds.active(machineId, modelId)?.value ?? null,
  };
}

export function healthIndex(clipScore: number, scale: HealthScale): number | null {
  const { heldoutMedian, threshold } = scale;
  if (heldoutMedian === null || threshold === null || !(threshold > heldoutMedian)) return null;
  return (clipScore - heldoutMedian) / (threshold - heldoutMedian);
}

export function clipHealth(
  modelId: number,
  clip: { role: RecordingRole; clipScore: number },
  scale: HealthScale,
): ClipHealth {
  return {
    modelId,
    clipScore: clip.clipScore,
    healthIndex: healthIndex(clip.clipScore, scale),
    threshold: scale.threshold,
    heldoutMedian: scale.heldoutMedian,
    alarming: isAlarming(clip.role, clip.clipScore, scale.threshold),
  };
}

/**
 * The machine-state rules, in order: "no model" when no back-end is fitted or no threshold set
 * for the machine under the effective model; "alarm" with open alarms (new or acknowledged);
 * "watch" when the latest scored clip's health index is ≥ 0.7 or it has a level finding; else "ok".
 */
export function machineStatus(m: {
  scale: HealthScale | null;
  fitted: boolean;
  openAlarms: number;
  latestHealthIndex: number | null;
  latestLevelFinding: string | null;
}): MachineStatus {
  if (!m.scale || !m.fitted || m.scale.threshold === null)
    return {
      state: 'no model',
      reason: 'not scored yet: it needs at least 2 normal training clips and a scoring run',
    };
  if (m.openAlarms > 0)
    return { state: 'alarm', reason: `${m.openAlarms} open alarm${m.openAlarms === 1 ? '' : 's'}` };
  if (m.latestHealthIndex !== null && m.latestHealthIndex >= WATCH_HEALTH_INDEX)
    return {
      state: 'watch',
      reason: `latest clip at health index ${m.latestHealthIndex.toFixed(2)} (1 = threshold)`,
    };
  if (m.latestLevelFinding) return { state: 'watch', reason: `latest clip ${m.latestLevelFinding}` };
  return { state: 'ok', reason: 'no open alarms; latest clip well below the threshold' };
}
