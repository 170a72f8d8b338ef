import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticFactory } from '../../../src/engine/datasets/synthetic/factory.ts';
import { LEARNED_BACKENDS, runDcaseExperiment, subsampleTraining } from '../../../src/engine/experiments/dcase-runner.ts';
import { CURVE_CSV_HEADER } from '../../../src/engine/experiments/learning-curve.ts';
import { Random } from '../../../src/engine/datasets/prng.ts';
import { readSubmissionCsv } from '../../../src/engine/experiments/submission.ts';
import { RESULTS_CSV_HEADER } from '../../../src/engine/experiments/results.ts';
import { auc, partialAuc } from '../../../src/engine/metrics/index.ts';

let root: string;
let dataDir: string;
let cacheDir: string;

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-runner-'));
  dataDir = path.join(root, 'data');
  cacheDir = path.join(root, 'cache');
  // 2 types × 2 ids; 3 s clips (one wrapped window each) keep this fast.
  await generateSyntheticFactory({ outDir: dataDir, seed: 11, types: ['fan', 'gearbox'], idsPerType: 2, trainPerId: 10, testPerId: 10, durationS: 3 });
});

describe('auscult dcase runner', () => {
  it('runs the simple representations end to end: submission CSVs, results consistent with them, cache reused', async () => {
    const out = path.join(root, 'simple');
    const r = await runDcaseExperiment({ roots: [dataDir], outDir: out, cacheDir, backends: ['mean-logmel', 'max-logmel'], threads: 0, combinedType: 'fan', submission: 'paper' });
    expect(r.defaultSystem).toBe('mean-logmel');
    // max-logmel is no candidate of the default rule: with one candidate there is nothing to choose.
    expect(r.systems.map((s) => s.name)).toEqual(['mean-logmel', 'max-logmel', 'combined (fan: mean-logmel, else mean-logmel)']);
    const csvs = fs.readdirSync(out).filter((f) => f.startsWith('anomaly_score_')).sort();
    expect(csvs).toEqual(['anomaly_score_fan_id_00.csv', 'anomaly_score_fan_id_01.csv', 'anomaly_score_gearbox_id_00.csv', 'anomaly_score_gearbox_id_01.csv']);

    // Every test file of the id is scored once; results.csv holds AUC/pAUC of exactly these scores.
    const resultLines = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(resultLines[0]).toBe(RESULTS_CSV_HEADER);
    const aucs: number[] = [];
    for (const csv of csvs) {
      const rows = readSubmissionCsv(path.join(out, csv));
      const [, type, idNumber] = /^anomaly_score_(.+)_id_(\d+)\.csv$/.exec(csv)!;
      const expectedFiles = fs.readdirSync(path.join(dataDir, type!, 'test')).filter((f) => f.includes(`_id_${idNumber}_`)).sort();
      expect(rows.map((row) => row.fileName)).toEqual(expectedFiles);
      const labels = rows.map((row) => (row.fileName.startsWith('anomaly') ? 1 : 0));
      const scores = rows.map((row) => row.score);
      const line = resultLines.find((l) => l.startsWith(`mean-logmel,mean,gaussian-full,,${type},id_${idNumber},`))!;
      const cells = line.split(',');
      expect(Number(cells[6])).toBeCloseTo(auc(labels, scores), 6);
      expect(Number(cells[7])).toBeCloseTo(partialAuc(labels, scores, 0.1), 6);
      aucs.push(auc(labels, scores));
    }
    // The baseline finds the synthetic anomalies better than chance (10 normal / 10 anomalous clips per id).
    expect(aucs.reduce((a, b) => a + b, 0) / aucs.length).toBeGreaterThan(0.6);

    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('| **mean-logmel** (submission) | mean | gaussian-full |');
    expect(md).toContain('| max | gearbox |');
    expect(md).toMatch(/## mean-logmel: AUC by anomaly kind and difficulty[^]*\| kind \| bearing \| \d+\.\d\d% \|/);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')) as { stages: { stage: string }[]; classes: string[] };
    expect(run.classes).toEqual(['fan_id_00', 'fan_id_01', 'gearbox_id_00', 'gearbox_id_01']);
    expect(run.stages.map((s) => s.stage)).toContain('feature extraction');

    // A second run finds every feature in the cache and gives identical scores.
    const cached = listFiles(cacheDir).length;
    expect(cached).toBe(80);
    const again = path.join(root, 'simple-again');
    await runDcaseExperiment({ roots: [dataDir], outDir: again, cacheDir, backends: ['mean-logmel'], threads: 0, submission: 'paper' });
    expect(listFiles(cacheDir).length).toBe(cached);
    expect(fs.readFileSync(path.join(again, csvs[0]!), 'utf8')).toBe(fs.readFileSync(path.join(out, csvs[0]!), 'utf8'));
  });

  it('trains SC-AdaCos models, scores with every back-end and sums the GMMs of several S (tiny training)', async () => {
    const out = path.join(root, 'learned');
    // Every learned back-end, and the two cheap simple ones (the frame-level ones are tested elsewhere).
    const backends = [...LEARNED_BACKENDS, 'mean-logmel', 'max-logmel'] as const;
    const lines: string[] = [];
    const r = await runDcaseExperiment({ roots: [dataDir], outDir: out, cacheDir, subclusters: [1, 2], epochs: 1, windowsPerEpoch: 16, threads: 0, backends: [...backends], log: (l) => lines.push(l) });
    // The log says what each training runs on (backend, thread count and why).
    expect(lines).toContainEqual(expect.stringMatching(/^S=1: training on TensorFlow\.js (wasm|tensorflow|cpu), \d+ threads?/));
    // The submission is each machine's label-free choice among every system (learned ones included).
    expect(r.defaultSystem).toBe('label-free choice');
    expect(r.choices.size).toBe(4);
    const names = r.systems.map((s) => s.name);
    for (const choice of r.choices.values()) expect(names).toContain(choice.chosen);
    expect(names).toContain('ensemble S=1,2 gmm');
    for (const b of ['gmm', 'gaussian-full', 'gaussian-diag', 'gaussian-spherical', 'cosine-mean', 'cosine-top10', 'knn-cosine', 'kmeans-cosine', 'model-output']) {
      expect(names).toContain(`S=1 ${b}`);
      expect(names).toContain(`S=2 ${b}`);
    }
    expect(names).toContain('mean-logmel');
    expect(names).toContain('max-logmel');
    expect(fs.existsSync(path.join(out, 'model-S1'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'model-S2'))).toBe(true);
    // The ensemble is the sum of the two GMM scores of each clip.
    const sum = r.scores.get('S=1 gmm')!.map((v, i) => v + r.scores.get('S=2 gmm')![i]!);
    expect(Array.from(r.scores.get('ensemble S=1,2 gmm')!)).toEqual(Array.from(sum));
    const results = fs.readFileSync(path.join(out, 'results.csv'), 'utf8');
    expect(results).toContain('ensemble S=1,2 gmm,ensemble,gmm,,mean,mean,');
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('## Sub-clusters: single Gaussian vs GMM (cf. Table IV)');
    expect(md).toMatch(/\| 2 \| GMM \| \d+\.\d\d% \| \d+\.\d\d% \|/);
    expect(r.stages.map((s) => s.stage)).toEqual(expect.arrayContaining(['training S=1', 'embedding S=1', 'back-ends', 'label-free choice']));
  }, 600_000);

  it('writes only the submission files for unlabelled evaluation data, and refuses test ids without training data', async () => {
    const evalRoot = path.join(root, 'eval');
    fs.mkdirSync(path.join(evalRoot, 'fan', 'test'), { recursive: true });
    fs.copyFileSync(path.join(dataDir, 'fan/test/anomaly_id_00_00000000.wav'), path.join(evalRoot, 'fan/test/id_00_00000000.wav'));
    fs.copyFileSync(path.join(dataDir, 'fan/test/normal_id_00_00000000.wav'), path.join(evalRoot, 'fan/test/id_00_00000001.wav'));
    const devTrainOnly = path.join(root, 'dev-train');
    fs.mkdirSync(path.join(devTrainOnly, 'fan'), { recursive: true });
    fs.cpSync(path.join(dataDir, 'fan', 'train'), path.join(devTrainOnly, 'fan', 'train'), { recursive: true });
    const out = path.join(root, 'eval-out');
    const r = await runDcaseExperiment({ roots: [devTrainOnly, evalRoot], outDir: out, cacheDir, backends: ['mean-logmel'], threads: 0, submission: 'paper' });
    expect(r.results).toEqual([]);
    expect(fs.existsSync(path.join(out, 'results.csv'))).toBe(false);
    expect(readSubmissionCsv(path.join(out, 'anomaly_score_fan_id_00.csv')).map((row) => row.fileName)).toEqual(['id_00_00000000.wav', 'id_00_00000001.wav']);

    await expect(runDcaseExperiment({ roots: [evalRoot], outDir: path.join(root, 'x'), cacheDir, backends: ['mean-logmel'] })).rejects.toThrow(/no training files/);
    await expect(runDcaseExperiment({ roots: [dataDir], outDir: path.join(root, 'x'), cacheDir, backends: ['pca' as never] })).rejects.toThrow(/unknown back-end "pca"/);
  });

  it('fusion and the label-free choice use no test labels: shuffled ground truth gives identical scores', async () => {
    // Evaluation layout: unlabelled test files, labels only in a ground-truth CSV.
    const evalRoot = path.join(root, 'eval-shuffle');
    const truth: string[] = [];
    for (const type of ['fan', 'gearbox']) {
      fs.mkdirSync(path.join(evalRoot, type, 'test'), { recursive: true });
      fs.cpSync(path.join(dataDir, type, 'train'), path.join(evalRoot, type, 'train'), { recursive: true });
      for (const f of fs.readdirSync(path.join(dataDir, type, 'test')).sort()) {
        const [, label, id, n] = /^(normal|anomaly)_id_(\d+)_(\d+)\.wav$/.exec(f)!;
        const name = `id_${id}_${n}${label === 'normal' ? '0' : '1'}.wav`;
        fs.copyFileSync(path.join(dataDir, type, 'test', f), path.join(evalRoot, type, 'test', name));
        truth.push(`${type},${name},${label}`);
      }
    }
    const rng = new Random(5);
    const labels = truth.map((l) => l.split(',')[2]!);
    for (let i = labels.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [labels[i], labels[j]] = [labels[j]!, labels[i]!];
    }
    const shuffled = truth.map((l, i) => l.replace(/(normal|anomaly)$/, labels[i]!));
    expect(shuffled).not.toEqual(truth);
    fs.writeFileSync(path.join(root, 'truth.csv'), truth.join('\n') + '\n');
    fs.writeFileSync(path.join(root, 'shuffled.csv'), shuffled.join('\n') + '\n');
    const run = (gt: string, out: string) => runDcaseExperiment({ roots: [evalRoot], outDir: path.join(root, out), cacheDir, backends: ['mean-logmel', 'meanstd-logmel', 'robust-logmel'], threads: 0, groundTruth: path.join(root, gt) });
    const a = await run('truth.csv', 'gt-true');
    const b = await run('shuffled.csv', 'gt-shuffled');
    expect([...b.scores.keys()]).toEqual([...a.scores.keys()]);
    for (const [name, scores] of a.scores) expect(Array.from(b.scores.get(name)!)).toEqual(Array.from(scores));
    expect([...b.choices.values()].map((c) => c.chosen)).toEqual([...a.choices.values()].map((c) => c.chosen));
    // The labels did change what is measured.
    expect(b.results.map((r) => r.auc)).not.toEqual(a.results.map((r) => r.auc));
  }, 600_000);

  it('draws learning-curve subsets per machine id, reproducibly, and writes the curve table, CSV and chart', async () => {
    const out = path.join(root, 'curve');
    const r = await runDcaseExperiment({ roots: [dataDir], outDir: out, cacheDir, backends: ['mean-logmel', 'patch-knn'], threads: 0, clipsPerMachine: [4, 'all'], repeats: 2 });
    expect(r.curve.map((c) => [c.size, c.repeat, c.trainClips])).toEqual([
      [4, 1, 16],
      [4, 2, 16],
      ['all', 1, 40],
    ]);
    const a = subsampleTraining(r.dataset, 4, 1, 0);
    expect(subsampleTraining(r.dataset, 4, 1, 0)).toEqual(a);
    expect(subsampleTraining(r.dataset, 4, 2, 0)).not.toEqual(a);
    for (const className of r.dataset.classes) expect(a.filter((i) => r.dataset.train[i]!.className === className)).toHaveLength(4);
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/\| mean-logmel \| \d+\.\d ± \d+\.\d \/ \d+\.\d ± \d+\.\d \| \d+\.\d \/ \d+\.\d \|/);
    expect(md).toContain('| **label-free choice** (default rule) |');
    const csv = fs.readFileSync(path.join(out, 'learning-curve.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(CURVE_CSV_HEADER);
    expect(csv.filter((l) => l.startsWith('4,2,16,"label-free choice",'))).toHaveLength(1);
    const svg = fs.readFileSync(path.join(out, 'learning-curve.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('training clips per machine');
    expect(svg).toContain('label-free choice');
  }, 600_000);
});
