import fs from 'node:fs';
import path from 'node:path';
import { FeatureCache, type CachedRecording } from '../../engine/features/cache.ts';
import { normStatsToJson } from '../../engine/features/normalization.ts';
import { FEATURE_PARAMS } from '../../engine/features/params.ts';
import { describeTfRuntime, loadTf } from '../../engine/tf.ts';
import {
  cachedRecordingsTrainingSet,
  disposeModel,
  saveModel,
  trainModel,
} from '../../engine/model/index.ts';
import type { TrainingSet } from '../../engine/model/training-set.ts';
import type { Recording, TrainingEpoch } from '../../shared/domain.ts';
import { trainingConfigSchema, type TrainingConfig } from '../../shared/training-config.ts';
import type { Model } from '../../shared/domain.ts';
import { NotFoundError } from '../errors.ts';
import { throwIfCancelled, type JobContext } from '../jobs/context.ts';
import { JobCancelledError } from '../jobs/protocol.ts';
import type { JobParams } from '../jobs/params.ts';
import { finalModelDir, machineClassName } from './learned.ts';
import { trainingHistory } from './training-history.ts';

/** Share of the job's progress bar spent on feature extraction before the epochs start. */
const FEATURE_SHARE = 0.15;

/**
 * Test hook (end-to-end tests only): after this epoch the job holds before its next step until it
 * is cancelled, so a test reaches "cancel during training, after a checkpoint" deterministically
 * instead of racing the clock.
 */
export const HOLD_AFTER_EPOCH_ENV = 'AUSCULT_TEST_HOLD_TRAINING_AFTER_EPOCH';

/** `set`, except that once `hold()` says so, reading a window waits for the cancel and stops there. */
function holdingSet(set: TrainingSet, hold: () => boolean, signal: AbortSignal): TrainingSet {
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  return {
    size: set.size,
    numClasses: set.numClasses,
    classOf: (i) => set.classOf(i),
    readWindow: async (i, out) => {
      if (hold()) {
        await aborted;
        throw new JobCancelledError();
      }
      return set.readWindow(i, out);
    },
  };
}

/**
 * The training job: every machine of the line with normal training clips is a class; windows come
 * from the feature cache, normalised with statistics over all training frames. Checkpoints go to
 * `<model dir>/checkpoint`; `resume` continues from there with the same training clips.
 */
export async function runTraining(
  ctx: JobContext,
  params: JobParams['train'],
): Promise<Record<string, unknown>> {
  const { ws } = ctx;
  const model = ws.models.get(params.modelId);
  if (!model) throw new NotFoundError('model', params.modelId);
  if (model.kind !== 'sc-adacos' || !model.dir)
    throw new Error(`model ${model.id} is not a trainable SC-AdaCos model`);
  const config = modelTrainingConfig(model);
  const { resume } = params;
  const checkpointDir = path.join(model.dir, 'checkpoint');
  const resumeFrom =
    resume && fs.existsSync(path.join(checkpointDir, 'model.json')) ? checkpointDir : undefined;

  // The clips are fixed when training first starts, so a resumed run sees the same data.
  let recordingIds = ws.models.trainingRecordingIds(model.id);
  if (!recordingIds) {
    const machines = ws.machines.list(model.projectId);
    recordingIds = machines.flatMap((m) => ws.recordings.trainingSet(m.id).map((r) => r.id));
    ws.models.setTrainingRecordingIds(model.id, recordingIds);
  }
  const recordings = recordingIds.map((id) => ws.recordings.get(id)).filter((r): r is Recording => !!r);
  const machineIds = [...new Set(recordings.map((r) => r.machineId))];
  const classNames = machineIds.map((id) => machineClassName(ws.machines.get(id)!)).sort();
  if (classNames.length < 2)
    throw new Error(
      `training needs normal clips of at least 2 machines; project ${model.projectId} has ${classNames.length}`,
    );
  ws.models.update(model.id, { status: 'training' });
  ctx.log(
    `${resumeFrom ? 'resuming' : 'training'} model ${model.id}: ${recordings.length} clips of ${classNames.length} machines, S = ${config.subclusters}, preset ${config.preset}, seed ${config.seed}`,
  );

  ctx.log(`TensorFlow.js: ${describeTfRuntime(await loadTf())}`);

  const cache = new FeatureCache(ws.cacheDir);
  const entries: CachedRecording[] = [];
  for (let i = 0; i < recordings.length; i++) {
    throwIfCancelled(ctx.signal);
    entries.push(await cache.ensureFile(recordings[i]!.path));
    ctx.progress((FEATURE_SHARE * (i + 1)) / recordings.length, `features ${i + 1}/${recordings.length}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const classOf = recordings.map((rec) =>
    classNames.indexOf(machineClassName(ws.machines.get(rec.machineId)!)),
  );
  const training = cachedRecordingsTrainingSet(cache, entries, classOf, classNames.length);
  let lastLoss = NaN;
  // Epochs already run (a resumed model) stay; epochs redone after the checkpoint replace theirs.
  let history = trainingHistory(ws.models.get(model.id)!.metrics);
  const holdAfter = Number(process.env[HOLD_AFTER_EPOCH_ENV] ?? NaN);
  let holding = false;
  const set = Number.isInteger(holdAfter)
    ? holdingSet(training.set, () => holding, ctx.signal)
    : training.set;
  const result = await trainModel(set, {
    subclusters: config.subclusters,
    classNames,
    preset: config.preset,
    epochs: config.epochs,
    seed: config.seed,
    featureParams: FEATURE_PARAMS,
    normStats: normStatsToJson(training.normStats),
    signal: ctx.signal,
    checkpointDir,
    resumeFrom,
    onProgress: async (e) => {
      lastLoss = e.epochLoss;
      const done = (e.epoch - 1 + e.step / e.stepsPerEpoch) / e.epochs;
      ctx.progress(
        FEATURE_SHARE + (1 - FEATURE_SHARE) * done,
        `epoch ${e.epoch}/${e.epochs}, loss ${e.epochLoss.toFixed(3)}, ${e.samplesPerS.toFixed(1)} windows/s`,
      );
      if (!e.epochDone) return;
      ctx.log(`epoch ${e.epoch}/${e.epochs}: loss ${e.epochLoss.toFixed(4)}, scale ${e.scale.toFixed(2)}`);
      const record: TrainingEpoch = {
        jobId: ctx.jobId,
        modelId: model.id,
        projectId: model.projectId,
        epoch: e.epoch,
        epochs: e.epochs,
        loss: e.epochLoss,
        scale: e.scale,
        samplesPerS: e.samplesPerS,
        etaS: e.etaS,
        at: new Date().toISOString(),
      };
      history = [...history.filter((h) => h.epoch < e.epoch), record];
      const current = ws.models.get(model.id)!;
      ws.models.update(model.id, { metrics: { ...(current.metrics ?? {}), history } });
      ctx.trainingEpoch(record);
      if (e.epoch === holdAfter && e.epoch < e.epochs) holding = true;
      await ctx.checkpoint(e.epoch);
    },
  });
  try {
    await saveModel(finalModelDir(model), result.model);
  } finally {
    disposeModel(result.model);
  }
  const metrics = {
    epochsDone: result.epochsDone,
    finalLoss: lastLoss,
    classes: classNames,
    trainingWindows: training.windows.length,
    resumed: !!resumeFrom,
    history,
  };
  ws.models.update(model.id, { status: 'trained', trainedAt: new Date().toISOString(), metrics });
  const { history: _kept, ...summary } = metrics;
  ws.audit.write({ actor: 'job', action: 'trained', entity: 'model', entityId: model.id, details: summary });
  return { modelId: model.id, ...summary };
}

/**
 * A model's training configuration through the one shared schema (and its defaults). Models stored
 * before the schema existed kept `epochs: null` for "the preset's"; S and the preset are columns.
 */
export function modelTrainingConfig(model: Model): TrainingConfig {
  const stored = Object.fromEntries(Object.entries(model.config).filter(([, v]) => v !== null));
  const r = trainingConfigSchema.safeParse({
    ...stored,
    subclusters: model.subclusters,
    preset: model.preset,
  });
  if (!r.success)
    throw new Error(
      `model ${model.id} has an invalid training configuration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}
