import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import fs from 'node:fs';
import path from 'node:path';
import { defaultWorkspaceDir } from '../../app/paths.ts';
import { readDcaseDataset } from '../../engine/datasets/dcase-layout.ts';
import { FeatureCache, type CachedRecording } from '../../engine/features/cache.ts';
import { normStatsToJson } from '../../engine/features/normalization.ts';
import { FEATURE_PARAMS } from '../../engine/features/params.ts';
import {
  cachedRecordingsTrainingSet,
  disposeModel,
  parsePresetName,
  PRESETS,
  saveModel,
  trainModel,
  type TrainProgressEvent,
} from '../../engine/model/index.ts';
import { describeTfRuntime, loadTf, parseBackendName } from '../../engine/tf.ts';
import { trainProjectFromTrainCommand } from './project-train.ts';
import { TRAINING_DEFAULTS } from '../../shared/training-config.ts';

export interface TrainCliOptions {
  data: string;
  out: string;
  subclusters: number;
  epochs?: number;
  seed: number;
  preset: string;
  windowsPerEpoch?: number;
  batchSize?: number;
  cache?: string;
  checkpointEvery?: number;
  resume?: boolean;
  fixedCentres?: boolean;
  backend?: string;
  progress: boolean;
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${v}"`);
    return n;
  };
}

/** Folder of the checkpoint of a model being trained into `outDir`. */
export function checkpointDirFor(outDir: string): string {
  return `${path.resolve(outDir)}.checkpoint`;
}

/** Trains on the normal training clips of a DCASE-style root (every machine id is a class). */
export async function runTrainCommand(opts: TrainCliOptions, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<{ out: string; epochs: number; finalLoss: number }> {
  const preset = parsePresetName(opts.preset);
  const rt = await loadTf(opts.backend ? { backend: parseBackendName(opts.backend) } : {});
  log(`TensorFlow.js: ${describeTfRuntime(rt)}`);
  const dataset = readDcaseDataset([opts.data]);
  if (dataset.train.length === 0) throw new Error(`${path.resolve(opts.data)}: no training clips (<type>/train/normal_id_NN_*.wav)`);
  if (dataset.classes.length < 2) throw new Error(`${path.resolve(opts.data)}: training needs at least 2 machine ids, found ${dataset.classes.length}`);
  const cache = new FeatureCache(opts.cache ?? path.join(defaultWorkspaceDir(), 'feature-cache'));
  log(`${dataset.train.length} training clips of ${dataset.classes.length} machine ids; features cached in ${cache.dir}`);

  const useBar = opts.progress && process.stderr.isTTY;
  const featureBar = useBar ? new cliProgress.SingleBar({ format: 'features [{bar}] {value}/{total}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  featureBar?.start(dataset.train.length, 0);
  const outcomes = await cache.extractFiles(dataset.train.map((c) => c.path), { onProgress: (p) => featureBar?.update(p.done) });
  featureBar?.stop();
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length > 0) {
    throw new Error(`${failed.length} training file(s) could not be read, e.g. ${failed[0]!.file}: ${(failed[0] as { error: string }).error}`);
  }
  const recordings = outcomes.map((o) => (o as { recording: CachedRecording }).recording);
  const classOf = dataset.train.map((c) => dataset.classes.indexOf(c.className));
  const { set, normStats, windows } = cachedRecordingsTrainingSet(cache, recordings, classOf, dataset.classes.length);

  const checkpointDir = checkpointDirFor(opts.out);
  const resumeFrom = opts.resume && fs.existsSync(path.join(checkpointDir, 'model.json')) ? checkpointDir : undefined;
  if (opts.resume && !resumeFrom) log(`no checkpoint in ${checkpointDir}: starting from scratch`);
  const epochs = opts.epochs ?? PRESETS[preset].epochs;
  log(`${resumeFrom ? 'resuming' : 'training'}: ${windows.length} windows, S = ${opts.subclusters}, ${epochs} epochs, preset ${preset} (${PRESETS[preset].description}), seed ${opts.seed}`);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const bar = useBar
    ? new cliProgress.SingleBar(
        { format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} steps | loss {loss} | ŝ {scale} | {rate} samples/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let last: TrainProgressEvent | undefined;
  try {
    const result = await trainModel(set, {
      subclusters: opts.subclusters,
      classNames: dataset.classes,
      epochs: opts.epochs,
      preset,
      seed: opts.seed,
      batchSize: opts.batchSize,
      windowsPerEpoch: opts.windowsPerEpoch,
      centres: opts.fixedCentres ? 'fixed' : 'trainable',
      featureParams: FEATURE_PARAMS,
      normStats: normStatsToJson(normStats),
      signal: controller.signal,
      checkpointDir,
      checkpointEveryEpochs: opts.checkpointEvery,
      resumeFrom,
      onProgress: (e) => {
        const payload = { epoch: e.epoch, epochs: e.epochs, loss: e.epochLoss.toFixed(4), scale: e.scale.toFixed(2), rate: e.samplesPerS.toFixed(1) };
        if (bar) {
          if (!last || last.epochDone) bar.start(e.stepsPerEpoch, 0, payload);
          bar.update(e.step, payload);
          if (e.epochDone) bar.stop();
        } else if (e.epochDone) {
          log(`epoch ${e.epoch}/${e.epochs}: loss ${payload.loss}, ŝ ${payload.scale}, ${payload.rate} samples/s, ETA ${Math.round(e.etaS)} s`);
        }
        last = e;
      },
    });
    try {
      await saveModel(opts.out, result.model);
    } finally {
      disposeModel(result.model);
    }
    fs.rmSync(checkpointDir, { recursive: true, force: true });
    return { out: path.resolve(opts.out), epochs: result.epochsDone, finalLoss: last?.epochLoss ?? NaN };
  } catch (err) {
    bar?.stop();
    if (controller.signal.aborted) {
      const kept = fs.existsSync(path.join(checkpointDir, 'model.json')) ? `; continue with --resume from the checkpoint in ${checkpointDir}` : '';
      throw new Error(`training cancelled${kept}`);
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the sub-cluster AdaCos embedding model on the normal training clips of a DCASE-style root')
    .option('--data <root>', 'DCASE-style root: <type>/train/normal_id_NN_*.wav (every machine id is a class)')
    .option('--out <dir>', 'model folder to write (replaced atomically when training ends)')
    .option('--subclusters <S>', 'sub-clusters per class, 1…64', positiveInt('subclusters'), TRAINING_DEFAULTS.subclusters)
    .option('--epochs <n>', "training epochs (default: the preset's)", positiveInt('epochs'))
    .option('--seed <n>', 'seed of initialisation, shuffling and mixup', (v) => Number.parseInt(v, 10), TRAINING_DEFAULTS.seed)
    .option('--preset <name>', 'quick (CPU, minutes), standard or paper (400 epochs)', TRAINING_DEFAULTS.preset)
    .option('--windows-per-epoch <n>', "windows drawn per epoch (default: the preset's; quick: 512)", positiveInt('windows-per-epoch'))
    .option('--batch-size <n>', 'batch size (default 64)', positiveInt('batch-size'))
    .option('--cache <dir>', 'feature cache folder (default: <workspace>/feature-cache)')
    .option('--checkpoint-every <n>', "epochs between checkpoints (default: the preset's)", positiveInt('checkpoint-every'))
    .option('--resume', 'continue from the checkpoint beside --out (<out>.checkpoint) if there is one')
    .option('--fixed-centres', 'keep the class centres at their random initialisation (default: trainable, as in the paper)')
    .option('--backend <name>', 'TensorFlow.js backend: tensorflow, wasm or cpu (default: best available)')
    .option('--no-progress', 'no progress bar (one line per epoch instead)')
    .option('--project <name|id>', 'instead of --data/--out: train a model for a workspace project (its machines are the classes), then rescore it')
    .option('-w, --workspace <dir>', 'with --project: workspace folder (default: $AUSCULT_HOME or the user-data folder)')
    .action(async (opts: Partial<TrainCliOptions> & { progress: boolean; seed: number; preset: string; subclusters: number; project?: string; workspace?: string }) => {
      if (opts.project) return trainProjectFromTrainCommand({ ...opts, project: opts.project });
      if (!opts.data) throw new Error('train: --data <root> is required');
      if (!opts.out) throw new Error('train: --out <dir> is required');
      const r = await runTrainCommand({ ...opts, data: opts.data, out: opts.out });
      process.stdout.write(`${r.out}: model trained for ${r.epochs} epochs, final epoch loss ${r.finalLoss.toFixed(4)}\n`);
    });
}
