/**
 * The DCASE experiment runner (the paper's experiments, reproducibly): read DCASE roots → cache
 * log-Mel windows → normalise with training statistics → simple representations and, per S, train
 * the SC-AdaCos model and embed → fit every back-end per machine id on its training windows →
 * score every test clip (clip score = max over its windows) → submission CSVs for the default
 * system, results.csv / results.md when labels are known, run.json with settings and timings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readDcaseDataset, readGroundTruth, type DcaseClip, type DcaseDataset } from '../datasets/dcase-layout.ts';
import { FeatureCache, type CachedRecording } from '../features/cache.ts';
import { cachedRecordingsTrainingSet } from '../model/training-set.ts';
import { temporalMeanMax } from '../features/simple.ts';
import { fitBackend, type BackendKind } from '../backends/index.ts';
import { clipScoreFromWindows, ensembleScores } from '../backends/ensemble.ts';
import { auc, partialAuc } from '../metrics/index.ts';
import { StageTimer } from './stage-timer.ts';
import { writeSubmissionCsv } from './submission.ts';
import { formatResultsCsv, formatResultsMarkdown, averageResults, type IdResult, type SystemKey } from './results.ts';
import { breakdownByAnomaly, formatBreakdownMarkdown, readAnomalyAnnotations } from './breakdown.ts';
import { trainAndEmbed, type LearnedRun, type LearnedRunOptions, type WindowVectors } from './learned.ts';

export const LEARNED_BACKENDS = ['gmm', 'gaussian-full', 'gaussian-diag', 'gaussian-spherical', 'cosine-mean', 'cosine-top10', 'model-output'] as const;
export const SIMPLE_BACKENDS = ['mean-logmel', 'max-logmel'] as const;
export const ALL_BACKENDS = [...LEARNED_BACKENDS, ...SIMPLE_BACKENDS] as const;
export type RunnerBackend = (typeof ALL_BACKENDS)[number];

export interface DcaseRunOptions {
  /** DCASE roots (development and/or evaluation). */
  roots: string[];
  outDir: string;
  /** Feature cache folder (shared between runs; content-hash keyed). */
  cacheDir: string;
  /** Sub-cluster counts S to train (one model each); several → the GMM ensemble is the default system. */
  subclusters?: number[];
  /** Back-ends to run (default all). */
  backends?: RunnerBackend[];
  preset?: LearnedRunOptions['preset'];
  epochs?: number;
  /** Training windows drawn per epoch (default: the preset's). */
  windowsPerEpoch?: number;
  seed?: number;
  /** Machine type scored with the mean log-Mel in the "combined" system (paper: ToyConveyor). */
  combinedType?: string;
  /** Ground truth for unlabelled evaluation files (file or folder, see readGroundTruth). */
  groundTruth?: string;
  /** Only these machine types. */
  machineTypes?: string[];
  /** Feature-extraction worker threads (default: all cores; 0 = in this thread). */
  threads?: number;
  onProgress?: (p: RunProgress) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface RunProgress {
  stage: string;
  done: number;
  total: number;
}

/** Scores of one system for every test clip (index-aligned with `dataset.test`). */
interface SystemScores {
  system: SystemKey;
  scores: Float64Array;
}

export interface DcaseRunResult {
  dataset: DcaseDataset;
  defaultSystem: string;
  systems: SystemKey[];
  /** Per-id metrics (empty when no test labels are known). */
  results: IdResult[];
  /** Files written (submission CSVs, results, run.json). */
  files: string[];
  stages: { stage: string; seconds: number }[];
  totalSeconds: number;
}

function learnedName(S: number, backend: string): string {
  return `S=${S} ${backend}`;
}

function ensembleName(subclusters: number[]): string {
  return `ensemble S=${subclusters.join(',')} gmm`;
}


function groupIndices<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  });
  return groups;
}

/** Clip scores (max over windows) from per-window scores. */
function clipScores(windowScores: Float64Array, clipOfWindow: number[], clipCount: number): Float64Array {
  const perClip: number[][] = Array.from({ length: clipCount }, () => []);
  clipOfWindow.forEach((c, w) => perClip[c]!.push(windowScores[w]!));
  return Float64Array.from(perClip, (s) => clipScoreFromWindows(s));
}

/**
 * Fit `kind` per class on the training windows of that class and score the test windows of the
 * same class; returns clip scores aligned with `dataset.test`.
 */
async function scorePerClass(
  dataset: DcaseDataset,
  kind: BackendKind,
  train: WindowVectors,
  test: WindowVectors,
  extra: {
    centres?: (className: string) => Float32Array[];
    trainProbabilities?: Float32Array[];
    testProbabilities?: Float32Array[];
    onClassDone?: (done: number, total: number) => void;
    signal?: AbortSignal;
  } = {},
): Promise<Float64Array> {
  const trainByClass = groupIndices(train.clipOfWindow, (c) => dataset.train[c]!.className);
  const testByClass = groupIndices(test.clipOfWindow, (c) => dataset.test[c]!.className);
  const windowScores = new Float64Array(test.vectors.length);
  let done = 0;
  for (const [className, testWindows] of testByClass) {
    // Between ids: let progress output and cancellation through (a GMM fit can take seconds).
    await new Promise((resolve) => setImmediate(resolve));
    checkAborted(extra.signal);
    const trainWindows = trainByClass.get(className);
    if (!trainWindows) throw new Error(`test files of ${className} have no training files`);
    // The model-output back-end reads class probabilities instead of embeddings.
    const trainInputs = kind === 'model-output' ? extra.trainProbabilities! : train.vectors;
    const testInputs = kind === 'model-output' ? extra.testProbabilities! : test.vectors;
    const backend = fitBackend(
      kind,
      trainWindows.map((w) => trainInputs[w]!),
      {
        centres: extra.centres?.(className),
        classIndex: dataset.classes.indexOf(className),
      },
    );
    const scores = backend.score(testWindows.map((w) => testInputs[w]!));
    testWindows.forEach((w, i) => (windowScores[w] = scores[i]!));
    extra.onClassDone?.(++done, testByClass.size);
  }
  return clipScores(windowScores, test.clipOfWindow, dataset.test.length);
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('the experiment was cancelled');
}

export async function runDcaseExperiment(options: DcaseRunOptions): Promise<DcaseRunResult> {
  const timer = new StageTimer();
  const log = options.log ?? (() => {});
  const progress = options.onProgress ?? (() => {});
  const backends = options.backends ?? [...ALL_BACKENDS];
  for (const b of backends) if (!(ALL_BACKENDS as readonly string[]).includes(b)) throw new Error(`unknown back-end "${b}" (known: ${ALL_BACKENDS.join(', ')})`);
  const learnedBackends = backends.filter((b): b is (typeof LEARNED_BACKENDS)[number] => (LEARNED_BACKENDS as readonly string[]).includes(b));
  const simpleBackends = backends.filter((b): b is (typeof SIMPLE_BACKENDS)[number] => (SIMPLE_BACKENDS as readonly string[]).includes(b));
  const subclusters = learnedBackends.length > 0 ? (options.subclusters ?? [32]) : [];
  for (const S of subclusters) if (!Number.isInteger(S) || S < 1 || S > 64) throw new Error(`sub-clusters must be integers in 1…64, got ${S}`);
  if (new Set(subclusters).size !== subclusters.length) throw new Error('a sub-cluster count is listed twice');
  const seed = options.seed ?? 0;
  const outDir = path.resolve(options.outDir);

  // 1. The data set.
  const dataset = await timer.time('read data set', () =>
    readDcaseDataset(options.roots, {
      groundTruth: options.groundTruth ? readGroundTruth(options.groundTruth) : undefined,
      machineTypes: options.machineTypes,
    }),
  );
  if (dataset.train.length === 0) throw new Error(`no training files (<type>/train/normal_id_NN_*.wav) under ${options.roots.join(', ')}`);
  if (dataset.test.length === 0) throw new Error(`no test files (<type>/test/*.wav) under ${options.roots.join(', ')}`);
  const untrained = [...new Set(dataset.test.map((c) => c.className))].filter((c) => !dataset.classes.includes(c));
  if (untrained.length > 0) throw new Error(`test files of ${untrained.join(', ')} have no training files: give the root that holds their <type>/train folder too`);
  if (subclusters.length > 0 && dataset.classes.length < 2) throw new Error(`the SC-AdaCos model needs at least 2 machine ids to discriminate, found ${dataset.classes.length}`);
  if (options.combinedType && !dataset.machineTypes.includes(options.combinedType)) throw new Error(`--combined-type: machine type "${options.combinedType}" is not in the data`);
  fs.mkdirSync(outDir, { recursive: true });
  log(`data: ${dataset.machineTypes.length} machine types, ${dataset.classes.length} machine ids, ${dataset.train.length} training and ${dataset.test.length} test files`);

  // 2. Features (cached by content between runs).
  const cache = new FeatureCache(options.cacheDir);
  const allClips = [...dataset.train, ...dataset.test];
  const recordings = await timer.time('feature extraction', async () => {
    const outcomes = await cache.extractFiles(
      allClips.map((c) => c.path),
      { threads: options.threads, signal: options.signal, onProgress: (p) => progress({ stage: 'features', done: p.done, total: p.total }) },
    );
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      const first = failed.slice(0, 5).map((f) => `${f.file}: ${(f as { error: string }).error}`);
      throw new Error(`${failed.length} file(s) could not be read:\n  ${first.join('\n  ')}${failed.length > 5 ? '\n  …' : ''}`);
    }
    return outcomes.map((o) => (o as { recording: CachedRecording }).recording);
  });
  const trainRecordings = recordings.slice(0, dataset.train.length);
  const testRecordings = recordings.slice(dataset.train.length);

  // 3. Normalisation statistics over all training frames, and every training window (the model's
  // training set; classes are the machine ids).
  const training = await timer.time('normalisation statistics', () =>
    cachedRecordingsTrainingSet(
      cache,
      trainRecordings,
      dataset.train.map((c) => dataset.classes.indexOf(c.className)),
      dataset.classes.length,
    ),
  );
  const norm = training.normStats;

  const systemScores: SystemScores[] = [];

  // 4. Simple representations: temporal mean / max of the normalised log-Mel per window.
  if (simpleBackends.length > 0) {
    await timer.time('simple representations', async () => {
      const collect = (rs: CachedRecording[]): { mean: WindowVectors; max: WindowVectors } => {
        const mean: WindowVectors = { vectors: [], clipOfWindow: [] };
        const max: WindowVectors = { vectors: [], clipOfWindow: [] };
        rs.forEach((r, clip) => {
          for (const w of cache.readWindows(r.key, norm)) {
            const mm = temporalMeanMax(w);
            mean.vectors.push(mm.mean);
            mean.clipOfWindow.push(clip);
            max.vectors.push(mm.max);
            max.clipOfWindow.push(clip);
          }
        });
        return { mean, max };
      };
      const train = collect(trainRecordings);
      const test = collect(testRecordings);
      for (const kind of simpleBackends) {
        const which = kind === 'mean-logmel' ? 'mean' : 'max';
        systemScores.push({
          system: { name: kind, representation: which, backend: 'gaussian-full' },
          scores: await scorePerClass(dataset, kind, train[which], test[which], {
            signal: options.signal,
            onClassDone: (done, total) => progress({ stage: `${kind} back-end`, done, total }),
          }),
        });
      }
    });
  }

  // 5. Learned representations: one SC-AdaCos model per S.
  const gmmScoresPerS: Float64Array[] = [];
  for (const [i, S] of subclusters.entries()) {
    checkAborted(options.signal);
    const run: LearnedRun = await trainAndEmbed(
      {
        dataset,
        subclusters: S,
        preset: options.preset ?? 'quick',
        epochs: options.epochs,
        windowsPerEpoch: options.windowsPerEpoch,
        seed: seed + i,
        cache,
        trainRecordings,
        testRecordings,
        training,
        signal: options.signal,
        outDir,
        onProgress: (p) => progress({ stage: `S=${S} ${p.stage}`, done: p.done, total: p.total }),
        log,
      },
      timer,
    );
    await timer.time(`back-ends S=${S}`, async () => {
      for (const kind of learnedBackends) {
        const scores = await scorePerClass(dataset, kind, run.train, run.test, {
          centres: (className) => run.centres(dataset.classes.indexOf(className)),
          trainProbabilities: run.trainProbabilities,
          testProbabilities: run.testProbabilities,
          signal: options.signal,
          onClassDone: (done, total) => progress({ stage: `S=${S} ${kind} back-end`, done, total }),
        });
        systemScores.push({ system: { name: learnedName(S, kind), representation: 'learned', backend: kind, subclusters: S }, scores });
        if (kind === 'gmm') gmmScoresPerS.push(scores);
      }
    });
  }
  if (gmmScoresPerS.length > 1) {
    systemScores.push({
      system: { name: ensembleName(subclusters), representation: 'ensemble', backend: 'gmm' },
      scores: ensembleScores(gmmScoresPerS),
    });
  }

  // 6. The default system (submission) and the "combined" system.
  const defaultSystem =
    gmmScoresPerS.length > 1 ? ensembleName(subclusters) : gmmScoresPerS.length === 1 ? learnedName(subclusters[0]!, 'gmm') : systemScores[0]!.system.name;
  const defaultScores = systemScores.find((s) => s.system.name === defaultSystem)!;
  const meanLogMel = systemScores.find((s) => s.system.name === 'mean-logmel');
  if (options.combinedType) {
    if (!meanLogMel) throw new Error('--combined-type needs the mean-logmel back-end');
    const scores = Float64Array.from(dataset.test, (clip, i) => (clip.machineType === options.combinedType ? meanLogMel.scores[i]! : defaultScores.scores[i]!));
    systemScores.push({ system: { name: `combined (${options.combinedType}: mean-logmel, else ${defaultSystem})`, representation: 'combined', backend: 'mixed' }, scores });
  }

  // 7. Files.
  const files: string[] = [];
  const results = await timer.time('scores, metrics and reports', () => {
    for (const indices of groupIndices(dataset.test, (c) => c.className).values()) {
      const clip0 = dataset.test[indices[0]!]!;
      const rows = indices.map((i) => ({ fileName: dataset.test[i]!.fileName, score: defaultScores.scores[i]! })).sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
      files.push(writeSubmissionCsv(outDir, clip0.machineType, clip0.machineId, rows));
    }
    return computeResults(dataset.test, systemScores);
  });
  const notes = [
    `data: ${options.roots.map((r) => path.resolve(r)).join(', ')} — ${dataset.machineTypes.length} machine types, ${dataset.classes.length} ids, ${dataset.train.length} training / ${dataset.test.length} test files`,
    subclusters.length > 0 ? `model: SC-AdaCos, preset ${options.preset ?? 'quick'}${options.epochs ? `, ${options.epochs} epochs` : ''}, S = ${subclusters.join(', ')}, seed ${seed}` : 'model: none (simple representations only)',
    `clip score: maximum over the clip's 313-frame windows`,
    `time: ${timer.totalSeconds.toFixed(1)} s — ${timer.describe().join('; ')}`,
  ];
  if (results.length > 0) {
    const csv = path.join(outDir, 'results.csv');
    fs.writeFileSync(csv, formatResultsCsv(results));
    const md = path.join(outDir, 'results.md');
    // Synthetic sets carry anomaly kinds and difficulties: show what the default system and the
    // mean log-Mel baseline find and miss.
    const annotations = readAnomalyAnnotations(dataset.roots);
    const breakdowns = [defaultScores, ...(meanLogMel && meanLogMel !== defaultScores ? [meanLogMel] : [])]
      .map((s) => formatBreakdownMarkdown(s.system.name, breakdownByAnomaly(dataset.test, s.scores, annotations)))
      .filter((text) => text !== '');
    fs.writeFileSync(md, [formatResultsMarkdown(results, { title: 'DCASE experiment results', notes, defaultSystem }), ...breakdowns].join('\n'));
    files.push(csv, md);
  } else {
    log('no test labels known (evaluation data without ground truth): wrote the submission files only');
  }
  const runJson = path.join(outDir, 'run.json');
  fs.writeFileSync(
    runJson,
    JSON.stringify(
      {
        roots: dataset.roots,
        classes: dataset.classes,
        subclusters,
        backends,
        preset: options.preset ?? 'quick',
        epochs: options.epochs ?? null,
        seed,
        combinedType: options.combinedType ?? null,
        defaultSystem,
        normStats: { frameCount: norm.frameCount },
        stages: timer.stages,
        totalSeconds: timer.totalSeconds,
        mean: averageResults(results).filter((a) => a.machineType === 'mean').map((a) => ({ system: a.system.name, auc: a.auc, pauc: a.pauc })),
      },
      null,
      2,
    ) + '\n',
  );
  files.push(runJson);
  return {
    dataset,
    defaultSystem,
    systems: systemScores.map((s) => s.system),
    results,
    files,
    stages: timer.stages,
    totalSeconds: timer.totalSeconds,
  };
}

/** AUC / pAUC per system and machine id, for ids whose test clips include both labels. */
function computeResults(test: DcaseClip[], systems: SystemScores[]): IdResult[] {
  const results: IdResult[] = [];
  const byClass = groupIndices(test, (c) => c.className);
  for (const { system, scores } of systems) {
    for (const indices of byClass.values()) {
      const labelled = indices.filter((i) => test[i]!.label !== 'unknown');
      const labels = labelled.map((i) => (test[i]!.label === 'anomaly' ? 1 : 0));
      const anomalies = labels.filter((l) => l === 1).length;
      if (anomalies === 0 || anomalies === labels.length) continue;
      const s = labelled.map((i) => scores[i]!);
      const clip = test[indices[0]!]!;
      results.push({ system, machineType: clip.machineType, machineId: clip.machineId, auc: auc(labels, s), pauc: partialAuc(labels, s, 0.1), normals: labels.length - anomalies, anomalies });
    }
  }
  return results;
}
