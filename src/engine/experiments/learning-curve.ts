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

/** One line of the curve: a system's mean over types in one run (one size × repeat). */
export interface CurveRow {
  size: number | 'all';
  repeat: number;
  trainClips: number;
  system: string;
  auc: number;
  pauc: number;
  /** The run's default rule (submission system). */
  isDefault: boolean;
}

/** The rows of runs (systems in first-seen order within each run). */
export function curveRows(runs: CurveRun[]): CurveRow[] {
  return runs.flatMap((run) =>
    averageResults(run.results)
      .filter((a) => a.machineType === 'mean')
      .map((a) => ({ size: run.size, repeat: run.repeat, trainClips: run.trainClips, system: a.system.name, auc: a.auc, pauc: a.pauc, isDefault: a.system.name === run.defaultSystem })),
  );
}

/** One point per (system, size): mean and spread over the repeats. Systems in first-seen order, sizes ascending. */
export function curvePoints(rows: CurveRow[]): CurvePoint[] {
  const points: CurvePoint[] = [];
  const rank = (s: number | 'all') => (s === 'all' ? Infinity : s);
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => rank(a) - rank(b));
  const systems = [...new Set(rows.map((r) => r.system))];
  for (const system of systems) {
    for (const size of sizes) {
      const values = rows.filter((r) => r.size === size && r.system === system);
      if (values.length === 0) continue;
      points.push({ system, size, repeats: values.length, auc: meanSd(values.map((v) => v.auc)), pauc: meanSd(values.map((v) => v.pauc)) });
    }
  }
  return points;
}

export const CURVE_CSV_HEADER = 'clips_per_machine,repeat,train_clips,system,auc,pauc,default_system';

/** One line per (size, repeat, system): the mean over types. */
export function formatCurveCsv(rows: CurveRow[]): string {
  const lines = [CURVE_CSV_HEADER];
  for (const r of rows) lines.push([r.size, r.repeat, r.trainClips, `"${r.system}"`, r.auc.toFixed(6), r.pauc.toFixed(6), r.isDefault ? 1 : 0].join(','));
  return lines.join('\n') + '\n';
}

/** Rows back from `formatCurveCsv` text (`where` names the file in errors). */
export function parseCurveCsv(text: string, where: string): CurveRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0] !== CURVE_CSV_HEADER) throw new Error(`${where}: not a learning-curve CSV (expected the header ${CURVE_CSV_HEADER})`);
  return lines.slice(1).map((line, i) => {
    const m = /^(\d+|all),(\d+),(\d+),"([^"]*)",([\d.]+),([\d.]+),([01])$/.exec(line);
    if (!m) throw new Error(`${where}:${i + 2}: malformed line "${line}"`);
    return { size: m[1] === 'all' ? 'all' : Number(m[1]), repeat: Number(m[2]), trainClips: Number(m[3]), system: m[4]!, auc: Number(m[5]), pauc: Number(m[6]), isDefault: m[7] === '1' };
  });
}

/** The label-free estimate's quality of one run (size × repeat). */
export interface CurveQuality {
  size: number | 'all';
  repeat: number;
  quality: EstimateQuality;
}

const pct = (x: number) => (100 * x).toFixed(1);
const cell = (m: { mean: number; sd: number }, repeats: number) => (repeats > 1 ? `${pct(m.mean)} ± ${pct(m.sd)}` : pct(m.mean));

/** Table: one row per system, one column per size: AUC (± sd) / pAUC (± sd), in %; then the estimate's rank correlation. */
export function formatCurveMarkdown(points: CurvePoint[], qualities: CurveQuality[], defaultSystem: string | undefined, svgFile: string): string {
  const sizes = [...new Set(points.map((p) => p.size))];
  const systems = [...new Set(points.map((p) => p.system))];
  const repeats = Math.max(...points.map((p) => p.repeats));
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
    const qs = qualities.filter((q) => q.size === size && Number.isFinite(q.quality.meanSpearman)).map((q) => q.quality);
    if (qs.length === 0) return '–';
    const rho = meanSd(qs.map((q) => q.meanSpearman));
    const best = qs.reduce((n, q) => n + q.pickedBest, 0);
    const total = qs.reduce((n, q) => n + q.total, 0);
    return `ρ ${rho.mean.toFixed(2)}${qs.length > 1 ? ` ± ${rho.sd.toFixed(2)}` : ''}, best ${best}/${total}`;
  });
  if (quality.some((q) => q !== '–')) rows.push(`| label-free estimate vs true AUC (Spearman ρ, mean over ids; picks that are truly best) | ${quality.join(' | ')} |`);
  return [
    '## Learning curve: mean AUC / pAUC (%) against training clips per machine',
    '',
    `Each size: ${repeats > 1 ? `mean ± standard deviation over up to ${repeats} random subsets` : 'one random subset'} of every machine id's training clips (${svgFile}).`,
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
