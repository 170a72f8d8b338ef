import type { Command } from 'commander';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { defaultWorkspaceDir } from '../../app/paths.ts';
import { ALL_BACKENDS, runDcaseExperiment, type ClipsPerMachine, type RunnerBackend } from '../../engine/experiments/dcase-runner.ts';
import { averageResults } from '../../engine/experiments/results.ts';
import fs from 'node:fs';
import { mergeLearningCurves } from '../../engine/experiments/curve-report.ts';
import { parsePresetName } from '../../engine/model/config.ts';

interface DcaseCliOptions {
  data: string[];
  out: string;
  subclusters: string;
  epochs?: string;
  windowsPerEpoch?: string;
  preset: string;
  backend: string;
  seed: string;
  combinedType?: string;
  groundTruth?: string;
  types?: string;
  cache?: string;
  threads?: string;
  clipsPerMachine?: string;
  repeats: string;
  submission: string;
  progress: boolean;
}

/** `10,30,60,all` → [10, 30, 60, 'all']. */
export function parseClipsPerMachine(value: string): ClipsPerMachine[] {
  const list = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (list.length === 0) throw new Error('--clips-per-machine: give at least one size, e.g. 10,30,60,all');
  return list.map((v) => {
    if (v === 'all') return 'all';
    const n = parseNonNegativeInteger('--clips-per-machine', v);
    if (n < 2) throw new Error(`--clips-per-machine: ${n} is too few (at least 2 clips per machine)`);
    return n;
  });
}

function parseNonNegativeInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new Error(`${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

export function parseSubclusters(value: string): number[] {
  const list = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (list.length === 0) throw new Error('--subclusters: give at least one value, e.g. 32 or 1,2,4,8,16,32,64');
  return list.map((v) => {
    const S = parseNonNegativeInteger('--subclusters', v);
    if (S < 1 || S > 64) throw new Error(`--subclusters: ${S} is not in 1…64`);
    return S;
  });
}

export function parseBackends(value: string): RunnerBackend[] {
  const list = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (list.includes('all')) return [...ALL_BACKENDS];
  for (const b of list) if (!(ALL_BACKENDS as readonly string[]).includes(b)) throw new Error(`--backend: unknown back-end "${b}" (known: ${ALL_BACKENDS.join(', ')}, all)`);
  if (list.length === 0) throw new Error('--backend: give at least one back-end');
  return list as RunnerBackend[];
}

function parseSubmissionRule(value: string): 'label-free' | 'paper' {
  if (value !== 'label-free' && value !== 'paper') throw new Error(`--submission must be label-free or paper, got "${value}"`);
  return value;
}

export function registerDcase(program: Command): void {
  program
    .command('dcase')
    .description('run the DCASE 2020 Task 2 experiment: train on every train/ folder, score every test/ file, write submission CSVs and results')
    .requiredOption('--data <root>', 'DCASE root with <type>/train and <type>/test (repeat for development + evaluation roots)', (v: string, prev: string[] = []) => [...prev, v])
    .requiredOption('--out <dir>', 'output folder for anomaly_score_*.csv, results.csv/.md, run.json and the trained models')
    .option('--subclusters <list>', 'sub-cluster counts S, one model each; several give the GMM ensemble', '32')
    .option('--epochs <n>', 'training epochs (default: the preset\'s)')
    .option('--windows-per-epoch <n>', 'training windows drawn per epoch (default: the preset\'s; quick: 512)')
    .option('--preset <name>', 'training preset: quick, standard or paper', 'quick')
    .option('--backend <list>', `back-ends: ${ALL_BACKENDS.join(', ')} or all (comma-separated)`, 'all')
    .option('--seed <n>', 'seed of model initialisation and training', '0')
    .option('--combined-type <type>', 'machine type scored with the mean log-Mel in the "combined" system (paper: ToyConveyor)')
    .option('--ground-truth <csv|dir>', 'labels of unlabelled evaluation test files (DCASE evaluator ground_truth_*.csv or type,file,label)')
    .option('--types <list>', 'only these machine types (comma-separated)')
    .option('--cache <dir>', 'feature cache folder (default: <workspace>/feature-cache)')
    .option('--threads <n>', 'feature-extraction threads (default: all cores)')
    .option('--clips-per-machine <list>', 'learning curve: training clips per machine id, e.g. 10,30,60,120,all (random subsets per id)')
    .option('--repeats <n>', 'random subsets per size of the learning curve', '1')
    .option('--submission <rule>', 'submission system: label-free (each machine\'s label-free choice) or paper (S=… GMM / ensemble)', 'label-free')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: DcaseCliOptions) => {
      const epochs = opts.epochs === undefined ? undefined : parseNonNegativeInteger('--epochs', opts.epochs);
      if (epochs === 0) throw new Error('--epochs must be at least 1');
      const bar = opts.progress && process.stderr.isTTY ? new cliProgress.SingleBar({ format: '{stage} [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : undefined;
      let currentStage = '';
      const repeats = parseNonNegativeInteger('--repeats', opts.repeats);
      if (repeats === 0) throw new Error('--repeats must be at least 1');
      const result = await runDcaseExperiment({
        roots: opts.data,
        outDir: opts.out,
        cacheDir: opts.cache ?? path.join(defaultWorkspaceDir(), 'feature-cache'),
        subclusters: parseSubclusters(opts.subclusters),
        backends: parseBackends(opts.backend),
        preset: parsePresetName(opts.preset),
        epochs,
        windowsPerEpoch: opts.windowsPerEpoch === undefined ? undefined : parseNonNegativeInteger('--windows-per-epoch', opts.windowsPerEpoch),
        seed: parseNonNegativeInteger('--seed', opts.seed),
        combinedType: opts.combinedType,
        groundTruth: opts.groundTruth,
        machineTypes: opts.types?.split(',').map((t) => t.trim()).filter((t) => t !== ''),
        threads: opts.threads === undefined ? undefined : parseNonNegativeInteger('--threads', opts.threads),
        clipsPerMachine: opts.clipsPerMachine === undefined ? undefined : parseClipsPerMachine(opts.clipsPerMachine),
        repeats: parseNonNegativeInteger('--repeats', opts.repeats),
        submission: parseSubmissionRule(opts.submission),
        log: (line) => {
          if (bar && currentStage) bar.stop();
          currentStage = '';
          process.stderr.write(line + '\n');
        },
        onProgress: (p) => {
          if (!bar) return;
          if (p.stage !== currentStage) {
            if (currentStage) bar.stop();
            currentStage = p.stage;
            bar.start(p.total, p.done, { stage: p.stage });
          } else {
            bar.update(p.done);
          }
        },
      }).finally(() => {
        if (bar && currentStage) bar.stop();
      });
      const out = process.stdout;
      out.write(`wrote ${result.files.length} files to ${path.resolve(opts.out)} (submission: ${result.defaultSystem})\n`);
      for (const a of averageResults(result.results).filter((r) => r.machineType === 'mean')) {
        out.write(`  ${a.system.name.padEnd(44)} AUC ${(100 * a.auc).toFixed(2)}%  pAUC ${(100 * a.pauc).toFixed(2)}%\n`);
      }
      out.write(`time ${result.totalSeconds.toFixed(1)} s:\n`);
      for (const s of result.stages) out.write(`  ${s.stage.padEnd(32)} ${s.seconds.toFixed(1).padStart(8)} s  ${((100 * s.seconds) / result.totalSeconds).toFixed(0).padStart(3)} %\n`);
    });

  program
    .command('dcase-curve')
    .description('merge the learning curves of several auscult dcase output folders into one table (<out>.md) and chart (<out>.svg)')
    .requiredOption('--runs <dir>', 'auscult dcase output folder with learning-curve.csv (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .requiredOption('--out <path>', 'output path without extension')
    .option('--title <text>', 'chart title', 'Mean AUC against training clips per machine')
    .action((opts: { runs: string[]; out: string; title: string }) => {
      const report = mergeLearningCurves(opts.runs, opts.title, `${path.basename(opts.out)}.svg`);
      fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
      fs.writeFileSync(`${opts.out}.md`, report.markdown);
      fs.writeFileSync(`${opts.out}.svg`, report.svg);
      process.stdout.write(report.markdown);
    });
}
