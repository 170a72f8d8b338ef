/**
 * One learning curve from several `auscult dcase` output folders (e.g. small sizes with several
 * repeats in one run, large sizes once in another): their learning-curve.csv rows and run.json
 * estimate quality, merged into one Markdown table and one SVG chart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { curvePoints, formatCurveMarkdown, parseCurveCsv, renderCurveSvg, type CurveQuality, type CurveRow } from './learning-curve.ts';

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
    const csv = path.join(dir, 'learning-curve.csv');
    if (!fs.existsSync(csv)) throw new Error(`${csv}: not found (run auscult dcase with --clips-per-machine)`);
    rows.push(...parseCurveCsv(fs.readFileSync(csv, 'utf8'), csv));
    const runJson = path.join(dir, 'run.json');
    const run = JSON.parse(fs.readFileSync(runJson, 'utf8')) as { learningCurve?: { clipsPerMachine: number | 'all'; repeat: number; estimateQuality: CurveQuality['quality'] | null }[] };
    for (const c of run.learningCurve ?? []) if (c.estimateQuality) qualities.push({ size: c.clipsPerMachine, repeat: c.repeat, quality: c.estimateQuality });
  }
  const points = curvePoints(rows);
  const defaultSystem = rows.find((r) => r.isDefault)?.system;
  return { markdown: formatCurveMarkdown(points, qualities, defaultSystem, svgName), svg: renderCurveSvg(points, { title }), rows };
}
