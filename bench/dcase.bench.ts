/**
 * The synthetic factory's speed and `auscult dcase` on the standard synthetic set with the quick
 * preset (S = 32, all back-ends): wall time, each stage's share, and the mean AUCs it measured.
 * The dcase run takes many minutes on a CPU; it runs once and every dcase figure reads from it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderSyntheticClip, generateSyntheticFactory, STANDARD_SYNTHETIC_SET } from '../src/engine/datasets/synthetic/factory.ts';
import { runDcaseExperiment, type DcaseRunResult } from '../src/engine/experiments/dcase-runner.ts';
import { averageResults } from '../src/engine/experiments/results.ts';
import { timeMs, type Benchmark } from './harness.ts';

let standardRun: Promise<DcaseRunResult> | undefined;
let workDir: string | undefined;

function runStandard(): Promise<DcaseRunResult> {
  standardRun ??= (async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-bench-dcase-'));
    const data = path.join(workDir, 'data');
    await generateSyntheticFactory({ ...STANDARD_SYNTHETIC_SET, outDir: data });
    // A fresh cache: feature extraction is measured, not read back.
    return runDcaseExperiment({ roots: [data], outDir: path.join(workDir, 'out'), cacheDir: path.join(workDir, 'cache'), preset: 'quick', subclusters: [32] });
  })();
  return standardRun;
}

const STAGES = ['feature extraction', 'normalisation statistics', 'perturbed probes', 'simple representations', 'training S=32', 'embedding S=32', 'back-ends', 'label-free choice', 'scores, metrics and reports'];

function meanOf(r: DcaseRunResult, system: string, metric: 'auc' | 'pauc'): number {
  const m = averageResults(r.results).find((a) => a.system.name === system && a.machineType === 'mean');
  if (!m) throw new Error(`no results for ${system}`);
  return 100 * m[metric];
}

const accuracy = (label: string, system: string, metric: 'auc' | 'pauc', compare: string): Benchmark => ({
  name: `dcase standard: mean ${metric === 'auc' ? 'AUC' : 'pAUC'}, ${label}`,
  unit: metric === 'auc' ? '% AUC' : '% pAUC',
  compare,
  reps: 1,
  run: async () => meanOf(await runStandard(), system, metric),
});

export const benchmarks: Benchmark[] = [
  {
    name: 'synth: render one 10 s clip (fan, normal)',
    unit: 'ms',
    compare: 'real time 10,000 ms',
    reps: 10,
    run: () => timeMs(() => renderSyntheticClip(1, { machineType: 'fan', idNumber: 0, split: 'train', label: 'normal', index: 0 }, 10)),
  },
  {
    name: 'dcase standard synthetic set, quick, S=32: wall',
    unit: 's',
    compare: 'report (issue 5); 900 clips, shared CPU',
    reps: 1,
    run: async () => (await runStandard()).totalSeconds,
  },
  ...STAGES.map(
    (stage): Benchmark => ({
      name: `dcase standard: share of ${stage}`,
      unit: '%',
      compare: 'report',
      reps: 1,
      run: async () => {
        const r = await runStandard();
        const s = r.stages.find((x) => x.stage === stage);
        if (!s) throw new Error(`stage "${stage}" did not run`);
        return (100 * s.seconds) / r.totalSeconds;
      },
    }),
  ),
  accuracy('mean-logmel baseline', 'mean-logmel', 'auc', 'report (must not be near 100)'),
  accuracy('mean-logmel baseline', 'mean-logmel', 'pauc', 'report'),
  accuracy('SC-AdaCos S=32 + GMM', 'S=32 gmm', 'auc', 'report (chance = 50)'),
  {
    ...accuracy('SC-AdaCos S=32 + GMM', 'S=32 gmm', 'pauc', 'report (chance = 50)'),
    teardown: () => {
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    },
  },
];
