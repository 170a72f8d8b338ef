import type { MachineStatus, MachineSummary } from '../../shared/api.ts';
import type { AppContext } from '../app-context.ts';
import type { MachineCounts } from '../db/repos/dashboard.ts';
import { clipHealth, healthScale, machineStatus, type HealthScale } from './health.ts';
import { clipLevel } from './level.ts';

/** One machine as the dashboard and the machine list show it: counts, latest clip, state. */
export interface MachineOverview {
  counts: MachineCounts;
  scale: HealthScale | null;
  lastScore: MachineSummary['lastScore'];
  status: MachineStatus;
}

/** Every machine of a project under its effective model (`modelId`, null before any scores). */
export function machineOverviews(
  app: AppContext,
  projectId: number,
  modelId: number | null,
): MachineOverview[] {
  const { ws } = app;
  return ws.dashboard.machineCounts(projectId, modelId).map((counts) => {
    const scale = modelId === null ? null : healthScale(ws, counts.machineId, modelId);
    let lastScore: MachineSummary['lastScore'] = null;
    if (modelId !== null && scale && counts.lastRecordingId !== null) {
      const rec = app.recording(counts.lastRecordingId);
      const health = clipHealth(modelId, { role: rec.role, clipScore: counts.lastScore! }, scale);
      lastScore = {
        recordingId: rec.id,
        clipScore: counts.lastScore!,
        at: counts.lastScoredAt!,
        healthIndex: health.healthIndex,
        alarming: health.alarming,
        levelFinding: clipLevel(rec.levelDbfs, ws.recordings.trainingLevelDbfs(rec.machineId)).finding,
      };
    }
    const status = machineStatus({
      scale,
      fitted: counts.backend !== null,
      openAlarms: counts.openAlarms,
      latestHealthIndex: lastScore?.healthIndex ?? null,
      latestLevelFinding: lastScore?.levelFinding ?? null,
    });
    return { counts, scale, lastScore, status };
  });
}
