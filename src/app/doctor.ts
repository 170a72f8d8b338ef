import Database from 'better-sqlite3';
import { loadTf, describeTfRuntime } from '../engine/tf.ts';
import { defaultWorkspaceDir } from './paths.ts';
import { electronBinaryPath, findChromium, packageVersion } from './environment.ts';

/** `auscult doctor`: what a bug report needs to know about this installation. */
export interface DoctorReport {
  node: string;
  electron: { package?: string; binary?: string };
  tfjs: string;
  tfBackend: string;
  tfBackendDetail: string;
  sqlite: string;
  betterSqlite3?: string;
  workspace: string;
  chromium?: string;
}

export async function collectDoctorReport(workspace = defaultWorkspaceDir()): Promise<DoctorReport> {
  const tf = await loadTf();
  const db = new Database(':memory:');
  const sqlite = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  db.close();
  return {
    node: process.version,
    electron: { package: packageVersion('electron'), binary: electronBinaryPath() },
    tfjs: tf.tfjsVersion,
    tfBackend: tf.backend,
    tfBackendDetail: describeTfRuntime(tf),
    sqlite,
    betterSqlite3: packageVersion('better-sqlite3'),
    workspace,
    chromium: findChromium(),
  };
}

/** The report as the aligned text `auscult doctor` prints (and the About screen copies). */
export function formatDoctorReport(r: DoctorReport): string {
  const electron = r.electron.package
    ? `${r.electron.package} (${r.electron.binary ? `binary at ${r.electron.binary}` : 'no binary installed: desktop shell unavailable, web mode works'})`
    : 'not installed';
  const lines: [string, string][] = [
    ['Node.js', r.node],
    ['Electron', electron],
    ['TensorFlow.js', r.tfjs],
    ['TF backend', r.tfBackendDetail],
    ['SQLite', `${r.sqlite} (better-sqlite3 ${r.betterSqlite3 ?? '?'})`],
    ['Workspace', r.workspace],
    ['Chromium', r.chromium ?? 'not found (install Debian package "chromium" for end-to-end tests)'],
  ];
  return lines.map(([k, v]) => `${k.padEnd(14)} ${v}`).join('\n') + '\n';
}
