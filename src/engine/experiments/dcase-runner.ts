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
import { fitBackend, logMelVector, type BackendKind, type LogMelKind, type VectorList } from '../backends/index.ts';
import { ensembleScores } from '../backends/ensemble.ts';
import { auc, partialAuc } from '../metrics/index.ts';
import { deriveSeed, Random } from '../datasets/prng.ts';
import { StageTimer } from './stage-timer.ts';
import { writeSubmissionCsv } from './submission.ts';
import { formatResultsCsv, formatResultsMarkdown, averageResults, type IdResult, type SystemKey } from './results.ts';
import { breakdownByAnomaly, formatBreakdownMarkdown, readAnomalyAnnotations } from './breakdown.ts';
import { trainAndEmbed, type LearnedRun, type LearnedRunOptions, type WindowVectors } from './learned.ts';
import { probeWindowsOfFile } from '../detectors/probes.ts';
import { chooseDetector, estimateCandidates, LEARNED_CANDIDATES, LOGMEL_CANDIDATES, probeClipIndices, scoreClips, type CandidateInputs, type DetectorChoice } from '../detectors/label-free.ts';
import { fuseScores, planFusion } from '../detectors/fusion.ts';
import { estimateQuality, type EstimateQuality } from '../detectors/rank-correlation.ts';
import { curvePoints, curveRows, formatCurveCsv, formatCurveMarkdown, renderCurveSvg, type CurveRun } from './learning-curve.ts';

export const LEARNED_BACKENDS = ['gmm', 'gaussian-full', 'gaussian-diag', 'gaussian-spherical', 'cosine-mean', 'cosine-top10', 'knn-cosine', 'kmeans-cosine', 'model-output'] as const;
export const SIMPLE_BACKENDS = ['mean-logmel', 'max-logmel', 'meanstd-logmel', 'robust-logmel', 'frame-gaussian', 'patch-knn'] as const;
export const ALL_BACKENDS = [...LEARNED_BACKENDS, ...SIMPLE_BACKENDS] as const;
export type RunnerBackend = (typeof ALL_BACKENDS)[number];

/** Name of the system that scores each machine with its label-free choice (the default rule). */
export const CHOSEN_SYSTEM = 'label-free choice';
/** Name of the normal-data score fusion system. */
export const FUSION_SYSTEM = 'fusion (normal-data weights)';

/** Representation label of each simple back-end in the results. */
const SIMPLE_REPRESENTATION: Record<(typeof SIMPLE_BACKENDS)[number], SystemKey['representation']> = {
  'mean-logmel': 'mean',
  'max-logmel': 'max',
  'meanstd-logmel': 'meanstd',
  'robust-logmel': 'robust',
  'frame-gaussian': 'frames',
  'patch-knn': 'patches',
};
const SIMPLE_BACKEND_OF: Record<(typeof SIMPLE_BACKENDS)[number], string> = {
  'mean-logmel': 'gaussian-full',
  'max-logmel': 'gaussian-full',
  'meanstd-logmel': 'ledoit-wolf gaussian',
  'robust-logmel': 'ledoit-wolf gaussian',
  'frame-gaussian': 'gaussian-full (frames)',
  'patch-knn': 'nearest patch',
};

/** Training clips per machine for one point of a learning curve; `all` = every clip. */
export type ClipsPerMachine = number | 'all';

export interface DcaseRunOptions {
  /** DCASE roots (development and/or evaluation). */
  roots: string[];
  outDir: string;
  /** Feature cache folder (shared between runs; content-hash keyed). */
  cacheDir: string;
  /** Sub-cluster counts S to train (one model each); several → the GMM ensemble is the paper's default system. */
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
  /**
   * Learning curve: training clips per machine id, each a random subset (per id, seeded) of its
   * clips; default [`all`]. The submission and the detailed report come from the largest size.
   */
  clipsPerMachine?: ClipsPerMachine[];
  /** Subsets drawn per size (default 1; `all` is drawn once). */
  repeats?: number;
  /**
   * The submission's system: `label-free` (default) = each machine's label-free choice among the
   * systems run; `paper` = the paper's default (S = … GMM, or the ensemble of several S).
   */
  submission?: 'label-free' | 'paper';
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
  /** Per-id metrics of the submission's run (empty when no test labels are known). */
  results: IdResult[];
  /** Every system's clip scores in the submission's run, index-aligned with `dataset.test`. */
  scores: Map<string, Float64Array>;
  /** The label-free choice per machine id (class name) in the submission's run. */
  choices: Map<string, DetectorChoice>;
  /** Learning-curve runs (one per size × repeat), with their per-id results. */
  curve: CurveRun[];
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

/** Per clip, the vectors of its windows (clip = index into dataset.train or dataset.test). */
type ClipVectors = VectorList[];

function byClip(w: WindowVectors, clipCount: number): ClipVectors {
  const out: Float32Array[][] = Array.from({ length: clipCount }, () => []);
  w.vectors.forEach((v, i) => out[w.clipOfWindow[i]!]!.push(v));
  return out;
}

/** One candidate detector of the run: its system, back-end and per-clip inputs. */
interface RunDetector {
  system: SystemKey;
  kind: BackendKind;
  train: ClipVectors;
  test: ClipVectors;
  /** probes.get(trainClip)[k]: that training clip with perturbation k. */
  probes: Map<number, VectorList[]>;
  centres?: (className: string) => Float32Array[];
  /** Part of the label-free choice's candidates. */
  candidate: boolean;
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('the experiment was cancelled');
}

/** Everything a subset run needs that does not depend on the subset. */
interface RunContext {
  options: DcaseRunOptions;
  dataset: DcaseDataset;
  cache: FeatureCache;
  trainRecordings: CachedRecording[];
  testRecordings: CachedRecording[];
  simpleBackends: (typeof SIMPLE_BACKENDS)[number][];
  learnedBackends: (typeof LEARNED_BACKENDS)[number][];
  subclusters: number[];
  seed: number;
  timer: StageTimer;
  log: (line: string) => void;
  progress: (p: RunProgress) => void;
}

interface SubsetRun {
  systems: SystemScores[];
  choices: Map<string, DetectorChoice>;
  defaultSystem: string;
  paperSystem: string;
  frameCount: number;
}

/** The training clips (indices into dataset.train) of a subset: per id, `size` clips drawn at random. */
export function subsampleTraining(dataset: DcaseDataset, size: ClipsPerMachine, repeat: number, seed: number): number[] {
  const byClass = groupIndices(dataset.train, (c) => c.className);
  const picked: number[] = [];
  for (const [className, indices] of byClass) {
    if (size === 'all' || size >= indices.length) {
      picked.push(...indices);
      continue;
    }
    const rng = new Random(deriveSeed(seed, `subsample/${className}/${size}/${repeat}`));
    const order = [...indices];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    picked.push(...order.slice(0, size));
  }
  return picked.sort((a, b) => a - b);
}

/**
 * One run of every system on a subset of the training clips: normalisation statistics, simple
 * representations, SC-AdaCos models, every back-end per machine id, the label-free choice and
 * the fusion per id.
 */
async function runSubset(ctx: RunContext, trainIndices: number[], modelOutDir: string, tag: string): Promise<SubsetRun> {
  const { options, cache, timer, progress, log } = ctx;
  const dataset: DcaseDataset = { ...ctx.dataset, train: trainIndices.map((i) => ctx.dataset.train[i]!) };
  const trainRecordings = trainIndices.map((i) => ctx.trainRecordings[i]!);
  const { testRecordings } = ctx;
  const stage = (name: string) => (tag ? `${name} (${tag})` : name);

  // Normalisation statistics over the subset's training frames, and its training windows.
  const training = await timer.time(stage('normalisation statistics'), () =>
    cachedRecordingsTrainingSet(
      cache,
      trainRecordings,
      dataset.train.map((c) => dataset.classes.indexOf(c.className)),
      dataset.classes.length,
    ),
  );
  const norm = training.normStats;
  const trainByClass = groupIndices(dataset.train, (c) => c.className);

  // Probes of the label-free choice: a few training clips per id, each with every synthetic fault
  // (only when there are at least two candidates to choose from).
  const probeWindows = new Map<number, Float32Array[][]>();
  const candidateCount =
    ctx.simpleBackends.filter((k) => (LOGMEL_CANDIDATES as readonly string[]).includes(k)).length +
    ctx.subclusters.length * ctx.learnedBackends.filter((k) => (LEARNED_CANDIDATES as readonly string[]).includes(k)).length;
  if (candidateCount >= 2) await timer.time(stage('perturbed probes'), async () => {
    let done = 0;
    const total = [...trainByClass.values()].reduce((n, idx) => n + probeClipIndices(idx.length).length, 0);
    for (const indices of trainByClass.values()) {
      for (const p of probeClipIndices(indices.length)) {
        checkAborted(options.signal);
        const clip = indices[p]!;
        probeWindows.set(clip, await probeWindowsOfFile(dataset.train[clip]!.path, trainRecordings[clip]!.key, norm));
        progress({ stage: stage('perturbed probes'), done: ++done, total });
      }
    }
  });

  const detectors: RunDetector[] = [];
  // Simple representations: per-window vectors of the normalised log-Mel.
  if (ctx.simpleBackends.length > 0) {
    await timer.time(stage('simple representations'), () => {
      const trainWindows = trainRecordings.map((r) => cache.readWindows(r.key, norm));
      const testWindows = testRecordings.map((r) => cache.readWindows(r.key, norm));
      for (const kind of ctx.simpleBackends) {
        const vec = (windows: Float32Array[]) => windows.map((w) => logMelVector(kind as LogMelKind, w));
        const probes = new Map<number, VectorList[]>();
        for (const [clip, perKind] of probeWindows) probes.set(clip, perKind.map(vec));
        detectors.push({
          system: { name: kind, representation: SIMPLE_REPRESENTATION[kind], backend: SIMPLE_BACKEND_OF[kind] },
          kind,
          train: trainWindows.map(vec),
          test: testWindows.map(vec),
          probes,
          candidate: (LOGMEL_CANDIDATES as readonly string[]).includes(kind),
        });
      }
    });
  }

  // Learned representations: one SC-AdaCos model per S; probes are embedded by the same model.
  const probeList = [...probeWindows.entries()].flatMap(([clip, perKind]) => perKind.map((windows, k) => ({ clip, k, windows })));
  const gmmNames: string[] = [];
  for (const [i, S] of ctx.subclusters.entries()) {
    checkAborted(options.signal);
    const run: LearnedRun = await trainAndEmbed(
      {
        dataset,
        subclusters: S,
        preset: options.preset ?? 'quick',
        epochs: options.epochs,
        windowsPerEpoch: options.windowsPerEpoch,
        seed: ctx.seed + i,
        cache,
        trainRecordings,
        testRecordings,
        training,
        extraWindows: probeList.flatMap((p) => p.windows),
        signal: options.signal,
        outDir: modelOutDir,
        onProgress: (p) => progress({ stage: `S=${S} ${p.stage}${tag ? ` (${tag})` : ''}`, done: p.done, total: p.total }),
        log,
      },
      timer,
    );
    const trainEmb = byClip(run.train, dataset.train.length);
    const testEmb = byClip(run.test, dataset.test.length);
    const trainProb = byClip({ vectors: run.trainProbabilities, clipOfWindow: run.train.clipOfWindow }, dataset.train.length);
    const testProb = byClip({ vectors: run.testProbabilities, clipOfWindow: run.test.clipOfWindow }, dataset.test.length);
    const probes = new Map<number, VectorList[]>();
    let o = 0;
    for (const p of probeList) {
      const list = probes.get(p.clip) ?? [];
      list[p.k] = run.extraEmbeddings.slice(o, o + p.windows.length);
      o += p.windows.length;
      probes.set(p.clip, list);
    }
    for (const kind of ctx.learnedBackends) {
      const probabilities = kind === 'model-output';
      detectors.push({
        system: { name: learnedName(S, kind), representation: 'learned', backend: kind, subclusters: S },
        kind,
        train: probabilities ? trainProb : trainEmb,
        test: probabilities ? testProb : testEmb,
        probes,
        centres: (className) => run.centres(dataset.classes.indexOf(className)),
        candidate: (LEARNED_CANDIDATES as readonly string[]).includes(kind),
      });
      if (kind === 'gmm') gmmNames.push(learnedName(S, kind));
    }
  }

  // Every back-end per id: fitted on all of the id's (subset) training clips, scoring its test clips.
  const systems: SystemScores[] = [];
  const testByClass = groupIndices(dataset.test, (c) => c.className);
  await timer.time(stage('back-ends'), async () => {
    for (const det of detectors) {
      const scores = new Float64Array(dataset.test.length);
      let done = 0;
      for (const [className, testClips] of testByClass) {
        // Between ids: let progress output and cancellation through (a GMM fit can take seconds).
        await new Promise((resolve) => setImmediate(resolve));
        checkAborted(options.signal);
        const trainClips = trainByClass.get(className);
        if (!trainClips) throw new Error(`test files of ${className} have no training files`);
        const backend = fitBackend(det.kind, trainClips.flatMap((c) => [...det.train[c]!]), {
          centres: det.centres?.(className),
          classIndex: dataset.classes.indexOf(className),
        });
        scoreClips(backend, testClips.map((c) => det.test[c]!)).forEach((s, i) => (scores[testClips[i]!] = s));
        progress({ stage: stage(`${det.system.name} back-end`), done: ++done, total: testByClass.size });
      }
      systems.push({ system: det.system, scores });
    }
  });
  if (gmmNames.length > 1) {
    systems.push({
      system: { name: ensembleName(ctx.subclusters), representation: 'ensemble', backend: 'gmm' },
      scores: ensembleScores(gmmNames.map((n) => systems.find((s) => s.system.name === n)!.scores)),
    });
  }

  // The label-free choice and the normal-data fusion, per id.
  const candidates = detectors.filter((d) => d.candidate);
  const choices = new Map<string, DetectorChoice>();
  if (candidates.length >= 2) {
    await timer.time(stage('label-free choice'), async () => {
      const chosen = new Float64Array(dataset.test.length);
      const fused = new Float64Array(dataset.test.length);
      let done = 0;
      for (const [className, testClips] of testByClass) {
        await new Promise((resolve) => setImmediate(resolve));
        checkAborted(options.signal);
        const trainClips = trainByClass.get(className)!;
        const probeClips = probeClipIndices(trainClips.length);
        const inputs: CandidateInputs[] = candidates.map((d) => ({
          candidate: { name: d.system.name, kind: d.kind, context: { centres: d.centres?.(className) } },
          train: trainClips.map((c) => d.train[c]!),
          probes: probeClips.map((p) => d.probes.get(trainClips[p]!)!),
        }));
        const estimates = estimateCandidates(inputs, probeClips);
        const choice = chooseDetector(estimates, trainClips.length);
        choices.set(className, choice);
        const scoresOf = (name: string) => systems.find((s) => s.system.name === name)!.scores;
        for (const i of testClips) chosen[i] = scoresOf(choice.chosen)[i]!;
        const plan = planFusion(estimates);
        const fusedHere = plan
          ? fuseScores(plan, (name) => testClips.map((i) => scoresOf(name)[i]!))
          : Float64Array.from(testClips, (i) => scoresOf(choice.chosen)[i]!);
        testClips.forEach((i, k) => (fused[i] = fusedHere[k]!));
        progress({ stage: stage('label-free choice'), done: ++done, total: testByClass.size });
      }
      systems.push({ system: { name: CHOSEN_SYSTEM, representation: 'chosen', backend: 'per machine' }, scores: chosen });
      systems.push({ system: { name: FUSION_SYSTEM, representation: 'fusion', backend: 'per machine' }, scores: fused });
    });
  }

  const paperSystem = gmmNames.length > 1 ? ensembleName(ctx.subclusters) : gmmNames.length === 1 ? gmmNames[0]! : systems[0]!.system.name;
  const defaultSystem = (options.submission ?? 'label-free') === 'label-free' && choices.size > 0 ? CHOSEN_SYSTEM : paperSystem;
  return { systems, choices, defaultSystem, paperSystem, frameCount: norm.frameCount };
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
  const sizes = options.clipsPerMachine ?? ['all'];
  if (sizes.length === 0) throw new Error('clips per machine: give at least one size');
  for (const size of sizes) if (size !== 'all' && !(Number.isInteger(size) && size >= 2)) throw new Error(`clips per machine must be integers ≥ 2 or "all", got ${size}`);
  const repeats = options.repeats ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be a positive integer, got ${repeats}`);
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
  if (options.combinedType && !simpleBackends.includes('mean-logmel')) throw new Error('--combined-type needs the mean-logmel back-end');
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
  const ctx: RunContext = {
    options,
    dataset,
    cache,
    trainRecordings: recordings.slice(0, dataset.train.length),
    testRecordings: recordings.slice(dataset.train.length),
    simpleBackends,
    learnedBackends,
    subclusters,
    seed,
    timer,
    log,
    progress,
  };

  // 3. One run per (size, repeat); the largest size's first repeat is the submission's run.
  const order = [...new Set(sizes)].sort((a, b) => (a === 'all' ? Infinity : a) - (b === 'all' ? Infinity : b));
  const curve: CurveRun[] = [];
  let main: { run: SubsetRun; size: ClipsPerMachine; trainClips: number } | undefined;
  const single = order.length === 1 && (order[0] === 'all' || repeats === 1);
  for (const size of order) {
    for (let repeat = 1; repeat <= (size === 'all' ? 1 : repeats); repeat++) {
      checkAborted(options.signal);
      const tag = single ? '' : `${size} clips, repeat ${repeat}`;
      const indices = subsampleTraining(dataset, size, repeat, seed);
      const modelDir = single || (size === order[order.length - 1] && repeat === 1) ? outDir : path.join(outDir, 'learning-curve', `clips-${size}-repeat-${repeat}`);
      if (tag) log(`learning curve: ${tag} (${indices.length} training clips)`);
      const run = await runSubset(ctx, indices, modelDir, tag);
      const results = computeResults(dataset.test, run.systems);
      curve.push({ size, repeat, trainClips: indices.length, results, defaultSystem: run.defaultSystem, estimateQuality: choiceQuality(run.choices, results) });
      if (repeat === 1) main = { run, size, trainClips: indices.length };
    }
  }
  const { run } = main!;
  const systemScores = run.systems;
  const defaultSystem = run.defaultSystem;
  const defaultScores = systemScores.find((s) => s.system.name === defaultSystem)!;
  const meanLogMel = systemScores.find((s) => s.system.name === 'mean-logmel');
  if (options.combinedType) {
    const scores = Float64Array.from(dataset.test, (clip, i) => (clip.machineType === options.combinedType ? meanLogMel!.scores[i]! : defaultScores.scores[i]!));
    systemScores.push({ system: { name: `combined (${options.combinedType}: mean-logmel, else ${defaultSystem})`, representation: 'combined', backend: 'mixed' }, scores });
  }

  // 4. Files.
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
    ...(single ? [] : [`this report: the run with ${main!.size} training clips per machine (repeat 1, ${main!.trainClips} clips); the learning curve below has every size`]),
    `clip score: maximum over the clip's 313-frame windows`,
    `submission: ${defaultSystem}${defaultSystem === CHOSEN_SYSTEM ? ' — per machine, the detector with the best label-free estimate (held-out normal clips vs synthetic faults; no anomaly labels)' : ''}`,
    `time: ${timer.totalSeconds.toFixed(1)} s — ${timer.describe().join('; ')}`,
  ];
  const choiceLines = formatChoicesMarkdown(run.choices, choiceQuality(run.choices, results));
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
    const sections = [formatResultsMarkdown(results, { title: 'DCASE experiment results', notes, defaultSystem }), choiceLines, ...breakdowns];
    if (!single) {
      const rows = curveRows(curve);
      const points = curvePoints(rows);
      const curveCsv = path.join(outDir, 'learning-curve.csv');
      fs.writeFileSync(curveCsv, formatCurveCsv(rows));
      const svg = path.join(outDir, 'learning-curve.svg');
      fs.writeFileSync(svg, renderCurveSvg(points, { title: `Mean AUC against training clips per machine (${dataset.classes.length} machine ids)` }));
      const qualities = curve.flatMap((c) => (c.estimateQuality ? [{ size: c.size, repeat: c.repeat, quality: c.estimateQuality }] : []));
      sections.splice(1, 0, formatCurveMarkdown(points, qualities, defaultSystem, 'learning-curve.svg'));
      files.push(curveCsv, svg);
    }
    fs.writeFileSync(md, sections.filter((s) => s !== '').join('\n'));
    files.push(csv, md);
  } else {
    if (choiceLines) fs.writeFileSync(path.join(outDir, 'choices.md'), choiceLines);
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
        clipsPerMachine: order,
        repeats,
        combinedType: options.combinedType ?? null,
        defaultSystem,
        choices: Object.fromEntries([...run.choices].map(([c, ch]) => [c, { chosen: ch.chosen, reason: ch.reason, estimates: ch.estimates }])),
        estimateQuality: choiceQuality(run.choices, results) ?? null,
        learningCurve: curve.map((c) => ({ clipsPerMachine: c.size, repeat: c.repeat, trainClips: c.trainClips, estimateQuality: c.estimateQuality ?? null })),
        normStats: { frameCount: run.frameCount },
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
    scores: new Map(systemScores.map((s) => [s.system.name, s.scores])),
    choices: run.choices,
    curve,
    files,
    stages: timer.stages,
    totalSeconds: timer.totalSeconds,
  };
}

/**
 * How the label-free estimates rank the candidates against their true AUC on the labelled test
 * clips, per id (undefined without choices or labels).
 */
export function choiceQuality(choices: Map<string, DetectorChoice>, results: IdResult[]): EstimateQuality | undefined {
  const perId = [];
  for (const [className, choice] of choices) {
    const own = results.filter((r) => `${r.machineType}_${r.machineId}` === className);
    const rows = choice.estimates.map((e) => ({ e, truth: own.find((r) => r.system.name === e.name) })).filter((x) => x.truth && Number.isFinite(x.e.auc));
    if (rows.length < 2) continue;
    const chosen = rows.findIndex((x) => x.e.name === choice.chosen);
    if (chosen < 0) continue;
    perId.push({ estimated: rows.map((x) => x.e.auc), trueAuc: rows.map((x) => x.truth!.auc), chosen });
  }
  return perId.length > 0 ? estimateQuality(perId) : undefined;
}

/** The label-free choice per machine id, with its reason, and how well the estimate ranked the candidates. */
function formatChoicesMarkdown(choices: Map<string, DetectorChoice>, quality?: EstimateQuality): string {
  if (choices.size === 0) return '';
  const qualityLines = quality
    ? [
        `Against the true test labels: Spearman's rank correlation of estimated and true AUC over the candidates, mean over ${quality.ids} ids: **${quality.meanSpearman.toFixed(2)}**; the pick is the truly best candidate on ${quality.pickedBest} of ${quality.total} ids; mean AUC given away by the pick: ${(100 * quality.meanRegret).toFixed(1)} points.`,
        '',
      ]
    : [];
  const rows = [...choices].map(([className, c]) => {
    const best = c.estimates.find((e) => e.name === c.chosen)!;
    return `| ${className} | ${c.chosen} | ${Number.isFinite(best.auc) ? `${(100 * best.auc).toFixed(1)}%` : 'n/a'} | ${c.perturbedClips} |`;
  });
  return ['## Label-free choice per machine id', '', 'Estimated AUC: held-out normal training clips (cross-fitted) against synthetic faults added to some of them — no anomaly labels.', '', ...qualityLines, '| machine id | chosen detector | estimated AUC | perturbed clips |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
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
