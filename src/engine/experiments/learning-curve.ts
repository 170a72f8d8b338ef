/**
 * Learning curves of the DCASE runner: every system's mean AUC / pAUC (mean over machine types)
 * per number of training clips per machine, averaged over repeated random subsets (mean and
 * sample standard deviation), as a CSV, a Markdown table and an SVG chart (ECharts, rendered on
 * the server side without a browser).
 */
import * as echarts from 'echarts';
import { averageResults, type IdResult } from './results.ts';
import type { EstimateQuality } from '../detectors/rank-correlation.ts';

export interface CurveRun {
  /** Training clips per machine asked for (`all` = every clip). */
  size: number | 'all';
  repeat: number;
  /** Training clips of the subset, all machines together. */
  trainClips: number;
  results: IdResult[];
  /** The run's submission system (the default rule). */
  defaultSystem: string;
  /** How the label-free estimate ranked the candidates against the true labels (when both exist). */
  estimateQuality?: EstimateQuality;
}

export interface CurvePoint {
  system: string;
  size: number | 'all';
  repeats: number;
  auc: { mean: number; sd: number };
  pauc: { mean: number; sd: number };
}

function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

/** Mean over types of every system in one run. */
function runMeans(run: CurveRun): Map<string, { auc: number; pauc: number }> {
  return new Map(averageResults(run.results).filter((a) => a.machineType === 'mean').map((a) => [a.system.name, { auc: a.auc, pauc: a.pauc }]));
}

/** One point per (system, size): mean and spread over the repeats. Systems in first-seen order. */
export function curvePoints(runs: CurveRun[]): CurvePoint[] {
  const points: CurvePoint[] = [];
  const sizes = [...new Set(runs.map((r) => r.size))];
  const systems = [...new Set(runs.flatMap((r) => [...runMeans(r).keys()]))];
  for (const system of systems) {
    for (const size of sizes) {
      const values = runs.filter((r) => r.size === size).map((r) => runMeans(r).get(system)).filter((v) => v !== undefined);
      if (values.length === 0) continue;
      points.push({ system, size, repeats: values.length, auc: meanSd(values.map((v) => v.auc)), pauc: meanSd(values.map((v) => v.pauc)) });
    }
  }
  return points;
}

export const CURVE_CSV_HEADER = 'clips_per_machine,repeat,train_clips,system,auc,pauc,default_system';

/** One line per (size, repeat, system): the mean over types. */
export function formatCurveCsv(runs: CurveRun[]): string {
  const lines = [CURVE_CSV_HEADER];
  for (const run of runs) {
    for (const [system, m] of runMeans(run)) lines.push([run.size, run.repeat, run.trainClips, `"${system}"`, m.auc.toFixed(6), m.pauc.toFixed(6), system === run.defaultSystem ? 1 : 0].join(','));
  }
  return lines.join('\n') + '\n';
}

const pct = (x: number) => (100 * x).toFixed(1);
const cell = (m: { mean: number; sd: number }, repeats: number) => (repeats > 1 ? `${pct(m.mean)} ± ${pct(m.sd)}` : pct(m.mean));

/** Table: one row per system, one column per size: AUC (± sd) / pAUC (± sd), in %. */
export function formatCurveMarkdown(points: CurvePoint[], runs: CurveRun[], svgFile: string): string {
  const sizes = [...new Set(points.map((p) => p.size))];
  const systems = [...new Set(points.map((p) => p.system))];
  const repeats = Math.max(...points.map((p) => p.repeats));
  const defaultSystem = runs[runs.length - 1]?.defaultSystem;
  const rows = systems.map((system) => {
    const name = system === defaultSystem ? `**${system}** (default rule)` : system;
    return `| ${name} | ${sizes
      .map((size) => {
        const p = points.find((q) => q.system === system && q.size === size);
        return p ? `${cell(p.auc, p.repeats)} / ${cell(p.pauc, p.repeats)}` : '–';
      })
      .join(' | ')} |`;
  });
  const quality = sizes.map((size) => {
    const rhos = runs.filter((r) => r.size === size && r.estimateQuality && Number.isFinite(r.estimateQuality.meanSpearman)).map((r) => r.estimateQuality!);
    if (rhos.length === 0) return '–';
    const rho = meanSd(rhos.map((q) => q.meanSpearman));
    const best = rhos.reduce((n, q) => n + q.pickedBest, 0);
    const total = rhos.reduce((n, q) => n + q.total, 0);
    return `ρ ${rho.mean.toFixed(2)}${rhos.length > 1 ? ` ± ${rho.sd.toFixed(2)}` : ''}, best ${best}/${total}`;
  });
  if (quality.some((q) => q !== '–')) rows.push(`| label-free estimate vs true AUC (Spearman ρ, mean over ids; picks that are truly best) | ${quality.join(' | ')} |`);
  return [
    '## Learning curve: mean AUC / pAUC (%) against training clips per machine',
    '',
    `Each size: ${repeats > 1 ? `mean ± standard deviation over ${repeats} random subsets` : 'one random subset'} of every machine id's training clips (${svgFile}).`,
    '',
    `| system | ${sizes.map((s) => `${s} clips`).join(' | ')} |`,
    `| --- | ${sizes.map(() => '---').join(' | ')} |`,
    ...rows,
    '',
  ].join('\n');
}

/** The chart: mean AUC (%) of every system against clips per machine, ± sd as the tooltip-free error band labels. */
export function renderCurveSvg(points: CurvePoint[], options: { title: string; width?: number; height?: number }): string {
  const sizes = [...new Set(points.map((p) => p.size))];
  const systems = [...new Set(points.map((p) => p.system))];
  const width = options.width ?? 960;
  const height = options.height ?? 560;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const emphasised = (s: string) => s === 'mean-logmel' || s.startsWith('label-free') || s.startsWith('fusion');
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    title: { text: options.title, left: 'center', textStyle: { fontSize: 15 } },
    legend: { type: 'plain', orient: 'vertical', right: 10, top: 40, textStyle: { fontSize: 11 } },
    grid: { left: 60, right: 250, top: 50, bottom: 60 },
    xAxis: { type: 'category', name: 'training clips per machine', nameLocation: 'middle', nameGap: 32, data: sizes.map(String), boundaryGap: false },
    yAxis: { type: 'value', name: 'mean AUC (%)', nameLocation: 'middle', nameGap: 42, scale: true },
    series: systems.map((system) => ({
      name: system,
      type: 'line',
      symbolSize: emphasised(system) ? 7 : 4,
      lineStyle: { width: emphasised(system) ? 3 : 1.2, type: system === 'mean-logmel' ? 'dashed' : 'solid' },
      data: sizes.map((size) => {
        const p = points.find((q) => q.system === system && q.size === size);
        return p ? Number((100 * p.auc.mean).toFixed(2)) : null;
      }),
    })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
