/**
 * Results broken down by anomaly kind and difficulty, for data sets that carry the synthetic
 * factory's manifest.csv: per machine id, the AUC of that id's normal test clips against its
 * anomalous clips of one kind (or one difficulty), averaged over the ids that have such clips.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DcaseClip } from '../datasets/dcase-layout.ts';
import { parseManifest } from '../datasets/synthetic/factory.ts';
import { auc } from '../metrics/index.ts';

export interface AnomalyAnnotation {
  kind: string;
  difficulty: string;
}

/** Annotations of the anomalous test clips listed in `<root>/manifest.csv` of any root (by absolute path). */
export function readAnomalyAnnotations(roots: string[]): Map<string, AnomalyAnnotation> {
  const annotations = new Map<string, AnomalyAnnotation>();
  for (const root of roots) {
    const manifestPath = path.join(root, 'manifest.csv');
    if (!fs.existsSync(manifestPath)) continue;
    for (const e of parseManifest(fs.readFileSync(manifestPath, 'utf8'), manifestPath)) {
      if (e.label === 'anomaly' && e.anomalyKind !== '') annotations.set(path.resolve(root, e.file), { kind: e.anomalyKind, difficulty: e.difficulty });
    }
  }
  return annotations;
}

export interface BreakdownRow {
  /** `kind` or `difficulty`. */
  by: 'kind' | 'difficulty';
  value: string;
  /** Mean over ids of the per-id AUC (normals of the id vs its anomalies of this kind/difficulty). */
  auc: number;
  anomalies: number;
  ids: number;
}

export function breakdownByAnomaly(test: DcaseClip[], scores: ArrayLike<number>, annotations: Map<string, AnomalyAnnotation>): BreakdownRow[] {
  const rows: BreakdownRow[] = [];
  for (const by of ['kind', 'difficulty'] as const) {
    const values = [...new Set([...annotations.values()].map((a) => a[by]))].sort();
    for (const value of values) {
      const aucs: number[] = [];
      let anomalies = 0;
      for (const className of new Set(test.map((c) => c.className))) {
        const normals: number[] = [];
        const positives: number[] = [];
        test.forEach((clip, i) => {
          if (clip.className !== className) return;
          if (clip.label === 'normal') normals.push(scores[i]!);
          else if (annotations.get(clip.path)?.[by] === value) positives.push(scores[i]!);
        });
        if (normals.length === 0 || positives.length === 0) continue;
        aucs.push(auc([...normals.map(() => 0), ...positives.map(() => 1)], [...normals, ...positives]));
        anomalies += positives.length;
      }
      if (aucs.length > 0) rows.push({ by, value, auc: aucs.reduce((a, b) => a + b, 0) / aucs.length, anomalies, ids: aucs.length });
    }
  }
  return rows;
}

export function formatBreakdownMarkdown(systemName: string, rows: BreakdownRow[]): string {
  if (rows.length === 0) return '';
  const lines = [
    `## ${systemName}: AUC by anomaly kind and difficulty (synthetic manifest)`,
    '',
    '| by | value | AUC (mean over ids) | anomalous clips | ids |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.by} | ${r.value} | ${(100 * r.auc).toFixed(2)}% | ${r.anomalies} | ${r.ids} |`),
    '',
  ];
  return lines.join('\n');
}
