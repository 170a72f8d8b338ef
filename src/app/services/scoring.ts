import { createHash } from 'node:crypto';
import {
  backendFromJSON,
  clipScoreFromWindows,
  fitBackend,
  type FittedBackend,
} from '../../engine/backends/index.ts';
import { FeatureCache } from '../../engine/features/cache.ts';
import type { Machine, Model, Recording } from '../../shared/domain.ts';
import { throwIfCancelled, type JobContext } from '../jobs/context.ts';
import type { JobParams } from '../jobs/params.ts';
import { NotFoundError } from '../errors.ts';
import type { Workspace } from '../workspace.ts';
import { ensureBaselineModel } from './baseline.ts';
import { MeanLogMelRepresentation, type Representation } from './representation.ts';
import { setDefaultThreshold } from './thresholds.ts';
import { applyAlarmRuleToScore } from './alarm-rule.ts';
import { learnedRepresentation } from './learned.ts';

/** Folds of the k-fold that gives every training clip a score from a back-end that never saw it. */
export const HELDOUT_FOLDS = 5;

export interface ScoringResult extends Record<string, unknown> {
  modelId: number;
  backend: string;
  scored: number;
  alarms: number;
  failed: number;
  fitted: number[];
  skippedMachines: { machineId: number; reason: string }[];
}

export function representationFor(
  ws: Workspace,
  model: Model,
  cache: FeatureCache,
): Promise<Representation> | Representation {
  return model.kind === 'mean-logmel'
    ? new MeanLogMelRepresentation(cache)
    : learnedRepresentation(ws, model, cache);
}

/** Identifies a training set by its recordings' content: a changed set means a stale back-end. */
export function trainingSignature(train: Recording[]): string {
  return createHash('sha256')
    .update(
      train
        .map((r) => r.contentHash)
        .sort()
        .join(','),
    )
    .digest('hex');
}

/**
 * Fits a machine's back-end under a model on its normal training clips (plus false alarms accepted
 * as normal), and scores every training clip with a back-end fitted on the other folds: those
 * held-out scores are the basis of the default threshold.
 */
export async function fitMachineBackend(
  ws: Workspace,
  rep: Representation,
  model: Model,
  machine: Machine,
  signal?: AbortSignal,
): Promise<FittedBackend> {
  const train = ws.recordings.trainingSet(machine.id);
  if (train.length < 2)
    throw new Error(
      `machine ${machine.type}/${machine.name} has ${train.length} normal training recording(s); at least 2 are needed`,
    );
  const state = await rep.prepare(machine, train);
  const perClip: Float32Array[][] = [];
  for (const rec of train) {
    if (signal) throwIfCancelled(signal);
    perClip.push((await rep.vectorsOf(rec)).vectors);
  }
  const ctx = rep.backendContext(machine);
  const k = Math.min(HELDOUT_FOLDS, train.length);
  const heldout: number[] = [];
  for (let fold = 0; fold < k; fold++) {
    const fitOn = perClip.filter((_, i) => i % k !== fold).flat();
    const b = fitBackend(rep.backendKind, fitOn, ctx);
    perClip.forEach((vectors, i) => {
      if (i % k === fold) heldout.push(clipScoreFromWindows(b.score(vectors)));
    });
  }
  const backend = fitBackend(rep.backendKind, perClip.flat(), ctx);
  ws.models.saveBackendFit({
    modelId: model.id,
    machineId: machine.id,
    kind: backend.kind,
    params: { representation: state, backend: backend.toJSON(), trainingSignature: trainingSignature(train) },
    trainCount: train.length,
    heldoutScores: heldout,
  });
  // A threshold the user set stays; the default follows the new fit.
  const active = ws.thresholds.active(machine.id, model.id);
  if (!active || active.method === 'default-quantile')
    setDefaultThreshold(ws, machine.id, model.id, 'system', active?.quantile ?? undefined);
  return backend;
}

/**
 * The scoring job: makes sure each involved machine's back-end is fitted and current, scores the
 * recordings (all unscored test/monitor clips of the project, or the given ones), stores clip and
 * window scores, and raises an alarm for every clip at or above its machine's threshold.
 */
export async function runScoring(ctx: JobContext, params: JobParams['score']): Promise<ScoringResult> {
  const { ws } = ctx;
  const { projectId } = params;
  const project = ws.projects.get(projectId);
  if (!project) throw new NotFoundError('project', projectId);
  const model = params.modelId
    ? ws.models.get(params.modelId)
    : project.activeModelId
      ? ws.models.get(project.activeModelId)
      : ensureBaselineModel(ws, projectId);
  if (!model) throw new Error(`No model with id ${String(params.modelId)}`);
  if (model.status !== 'trained') throw new Error(`model ${model.id} is ${model.status}, not trained`);

  // Alarms follow the project's effective model only: a candidate (scored before the promotion
  // gate decides) or any other model raises none; `reevaluateProject` applies the rule to its
  // scores if it is activated.
  const effective = project.activeModelId ?? ws.models.baseline(projectId)?.id;
  const applyRule = params.raiseAlarms && effective === model.id;
  const cache = new FeatureCache(ws.cacheDir);
  const rep = await representationFor(ws, model, cache);
  const result: ScoringResult = {
    modelId: model.id,
    backend: rep.backendKind,
    scored: 0,
    alarms: 0,
    failed: 0,
    fitted: [],
    skippedMachines: [],
  };
  try {
    const machines = ws.machines.list(projectId);
    const backends = new Map<number, FittedBackend>();
    // Machines whose fit is missing or stale (new training data) are (re)fitted, and then all
    // their clips are rescored: old scores came from a different back-end.
    const refitted = new Set<number>();
    for (const machine of machines) {
      throwIfCancelled(ctx.signal);
      const fit = ws.models.backendFit(model.id, machine.id);
      const training = ws.recordings.trainingSet(machine.id);
      const trainCount = training.length;
      if (
        fit &&
        (fit.params as { trainingSignature?: string }).trainingSignature === trainingSignature(training)
      ) {
        const p = fit.params as { representation: unknown; backend: unknown };
        rep.restore(machine, p.representation);
        backends.set(machine.id, backendFromJSON(p.backend));
        continue;
      }
      try {
        ctx.progress(0, `fitting ${rep.backendKind} back-end of ${machine.type}/${machine.name}`);
        backends.set(machine.id, await fitMachineBackend(ws, rep, model, machine, ctx.signal));
        refitted.add(machine.id);
        result.fitted.push(machine.id);
        ctx.log(
          `fitted ${rep.backendKind} back-end of ${machine.type}/${machine.name} on ${trainCount} clips`,
        );
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        const reason = (err as Error).message;
        result.skippedMachines.push({ machineId: machine.id, reason });
        ctx.log(`not scored: ${reason}`);
      }
    }

    const requested = params.recordingIds;
    let todo: Recording[] = requested
      ? requested
          .map((id) => ws.recordings.get(id))
          .filter((r): r is Recording => !!r && r.projectId === projectId)
      : ws.recordings.unscored(projectId, model.id);
    if (!requested && refitted.size) {
      const seen = new Set(todo.map((r) => r.id));
      for (const machineId of refitted) {
        for (const r of ws.recordings.list({ projectId, machineId }))
          if (r.role !== 'train' && !seen.has(r.id)) todo.push(r);
      }
    }
    todo = todo.filter((r) => backends.has(r.machineId));
    for (let i = 0; i < todo.length; i++) {
      throwIfCancelled(ctx.signal);
      const rec = todo[i]!;
      try {
        const { vectors, startsS } = await rep.vectorsOf(rec);
        const windowScores = Array.from(backends.get(rec.machineId)!.score(vectors));
        const clipScore = clipScoreFromWindows(windowScores);
        const alarm = ws.transaction(() => {
          const score = ws.scores.upsert({
            recordingId: rec.id,
            modelId: model.id,
            backend: rep.backendKind,
            clipScore,
            windowScores,
            windowStartsS: startsS,
          });
          if (!applyRule) return undefined;
          return applyAlarmRuleToScore(
            ws,
            { recordingId: rec.id, role: rec.role, scoreId: score.id, clipScore },
            ws.thresholds.active(rec.machineId, model.id),
          );
        });
        result.scored++;
        if (alarm) {
          result.alarms++;
          ctx.alarm(alarm);
        }
      } catch (err) {
        result.failed++;
        const message = (err as Error).message;
        ctx.log(message.includes(rec.path) ? message : `${rec.path}: ${message}`);
      }
      ctx.progress((i + 1) / todo.length, `${i + 1}/${todo.length} recordings scored`);
      // Yield so a cancel message can be handled between recordings.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    rep.dispose();
  }
  ctx.log(
    `scored ${result.scored} recordings with ${result.backend} (model ${model.id}), ${result.alarms} alarms, ${result.failed} failed`,
  );
  return result;
}
