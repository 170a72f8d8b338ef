import { PRESETS } from '../../engine/model/config.ts';
import { frameCountOf, SAMPLE_RATE_HZ } from '../../engine/features/params.ts';
import { windowStartFrames } from '../../engine/features/windows.ts';
import { MIN_TRAINING_CLIPS, type TrainingPlan } from '../../shared/api.ts';
import { LineAdminQueries } from '../db/repos/line-admin.ts';
import type { Workspace } from '../workspace.ts';
import { trainingHistory } from './training-history.ts';

/** Analysis windows a clip of `durationS` seconds gives (the feature step's own windowing). */
export function windowsOfClip(durationS: number): number {
  const frames = frameCountOf(Math.round(durationS * SAMPLE_RATE_HZ));
  return windowStartFrames(Math.max(1, frames)).length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Training throughput measured on this machine: the median windows/s over the epochs of the most
 * recently trained model of the workspace (any line: it is the machine's speed, not the line's).
 */
export function measuredThroughput(ws: Workspace): TrainingPlan['throughput'] {
  for (const id of new LineAdminQueries(ws.db).recentLearnedModelIds()) {
    const history = trainingHistory(ws.models.get(id)!.metrics).filter(
      (h) => Number.isFinite(h.samplesPerS) && h.samplesPerS > 0,
    );
    if (history.length === 0) continue;
    return {
      samplesPerS: median(history.map((h) => h.samplesPerS)),
      modelId: id,
      measuredAt: history[history.length - 1]!.at,
    };
  }
  return null;
}

/** What `models/train` would use in this line and each preset's cost at the measured speed. */
export function trainingPlan(ws: Workspace, projectId: number): TrainingPlan {
  const machines = ws.machines.list(projectId).map((machine) => {
    const clips = ws.recordings.trainingSet(machine.id);
    const windows = clips.reduce((n, r) => n + windowsOfClip(r.durationS), 0);
    const warning =
      clips.length === 0
        ? 'no normal training clips: this machine is left out of the training'
        : clips.length < MIN_TRAINING_CLIPS
          ? `only ${clips.length} normal training clip${clips.length === 1 ? '' : 's'} (at least ${MIN_TRAINING_CLIPS} recommended): its scores will be unreliable`
          : null;
    return { machine, clips: clips.length, windows, warning };
  });
  const classes = machines.filter((m) => m.clips > 0).length;
  const windows = machines.reduce((n, m) => n + m.windows, 0);
  const throughput = measuredThroughput(ws);
  const presets = (['quick', 'standard', 'paper'] as const).map((name) => {
    const p = PRESETS[name];
    const windowsPerEpoch = Math.min(windows, p.windowsPerEpoch ?? windows);
    return {
      preset: name,
      epochs: p.epochs,
      windowsPerEpoch,
      description: p.description,
      estimateS: throughput && windows > 0 ? (p.epochs * windowsPerEpoch) / throughput.samplesPerS : null,
    };
  });
  const running = ws.jobs.list({ projectId, status: ['queued', 'running'] }).find((j) => j.kind === 'train');
  const blocker = running
    ? `a training is already running (job ${running.id}): one training at a time per line`
    : classes < 2
      ? `training needs normal clips of at least two machines (they are the classes the network learns to tell apart); this line has ${classes}`
      : null;
  return { machines, classes, windows, presets, throughput, blocker };
}
