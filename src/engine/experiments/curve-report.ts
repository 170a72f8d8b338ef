/**
 * One learning curve from several `auscult dcase` output folders (e.g. small sizes with several
 * repeats in one run, large sizes once in another): their learning-curve.csv rows and run.json
 * estimate quality, merged into one Markdown table and one SVG chart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { curvePoints, formatCurveMarkdown, parseCurveCsv, renderCurveSvg, type CurveQuality, type CurveRow } from './learning-curve.ts';

interface RunJson {
  defaultSystem?: string;
  mean?: { system: string; auc: number; pauc: number }[];
  learningCurve?: { clipsPerMachine: number | 'all'; repeat: number; trainClips: number; estimateQuality: CurveQuality['quality'] | null }[];
}

export interface CurveReport {
  markdown: string;
  svg: string;
  rows: CurveRow[];
}

export function mergeLearningCurves(dirs: string[], title: string, svgName: string): CurveReport {
  if (dirs.length === 0) throw new Error('give at least one dcase output folder');
  const rows: CurveRow[] = [];
  const qualities: CurveQuality[] = [];
  for (const dir of dirs) {
    const runJson = path.join(dir, 'run.json');
    if (!fs.existsSync(runJson)) throw new Error(`${runJson}: not found (not an auscult dcase output folder)`);
    const run = JSON.parse(fs.readFileSync(runJson, 'utf8')) as RunJson;
    const csv = path.join(dir, 'learning-curve.csv');
    if (fs.existsSync(csv)) rows.push(...parseCurveCsv(fs.readFileSync(csv, 'utf8'), csv));
    else {
      // A run of one size (one subset): its mean results are the curve's point.
      const c = run.learningCurve?.[0];
      if (!c || !run.mean) throw new Error(`${runJson}: no learning-curve entry (run auscult dcase with --clips-per-machine)`);
      for (const m of run.mean) rows.push({ size: c.clipsPerMachine, repeat: c.repeat, trainClips: c.trainClips, system: m.system, auc: m.auc, pauc: m.pauc, isDefault: m.system === run.defaultSystem });
    }
    for (const c of run.learningCurve ?? []) if (c.estimateQuality) qualities.push({ size: c.clipsPerMachine, repeat: c.repeat, quality: c.estimateQuality });
  }
  const points = curvePoints(rows);
  const defaultSystem = rows.find((r) => r.isDefault)?.system;
  return { markdown: formatCurveMarkdown(points, qualities, defaultSystem, svgName), svg: renderCurveSvg(points, { title }), rows };
}
