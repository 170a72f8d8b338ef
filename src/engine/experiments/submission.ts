/**
 * DCASE 2020 submission files: one `anomaly_score_<type>_id_<NN>.csv` per machine id, lines
 * `<file name>,<score>` without a header (method.md §1).
 */
import fs from 'node:fs';
import path from 'node:path';

export function submissionFileName(machineType: string, machineId: string): string {
  return `anomaly_score_${machineType}_${machineId}.csv`;
}

/** The CSV text for one machine id; scores are written with full double precision. */
export function formatSubmissionCsv(rows: readonly { fileName: string; score: number }[]): string {
  return rows.map((r) => {
    if (!Number.isFinite(r.score)) throw new Error(`anomaly score of ${r.fileName} is not finite (${r.score})`);
    return `${r.fileName},${r.score}`;
  }).join('\n') + (rows.length > 0 ? '\n' : '');
}

/** Write the file for one id into `outDir`; returns its path. */
export function writeSubmissionCsv(outDir: string, machineType: string, machineId: string, rows: readonly { fileName: string; score: number }[]): string {
  const file = path.join(outDir, submissionFileName(machineType, machineId));
  fs.writeFileSync(file, formatSubmissionCsv(rows));
  return file;
}

/** Read a submission file back (for tests and comparisons with other implementations). */
export function readSubmissionCsv(file: string): { fileName: string; score: number }[] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const comma = line.lastIndexOf(',');
      const score = Number(line.slice(comma + 1));
      if (comma < 0 || !Number.isFinite(score)) throw new Error(`${file}:${i + 1}: expected "<file name>,<score>"`);
      return { fileName: line.slice(0, comma), score };
    });
}
