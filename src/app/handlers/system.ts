import { SCHEMA_VERSION } from '../db/migrations.ts';
import { packageVersion } from '../environment.ts';
import type { AppContext } from '../app-context.ts';
import fs from 'node:fs';
import { collectDoctorReport, formatDoctorReport } from '../doctor.ts';
import type { DomainHandlers } from './types.ts';

/** The application itself: version, workspace, schema, TF.js back-end of the job processes. */
export function systemHandlers(app: AppContext): DomainHandlers<'app'> {
  const version = packageVersion('auscult') ?? '0.1.0';
  return {
    'app/info': () => ({
      version,
      workspace: app.ws.dir,
      // Found by `serve` after start-up (the job processes load TF.js, not this process).
      tfBackend: app.opts.tfBackend ?? 'not loaded yet',
      schemaVersion: SCHEMA_VERSION,
    }),
    'app/about': async () => {
      const doctor = await collectDoctorReport(app.ws.dir);
      return {
        version,
        node: process.version,
        workspace: app.ws.dir,
        // The database with its write-ahead log: what the line data takes on disk.
        databaseBytes: [app.ws.dbFile, `${app.ws.dbFile}-wal`].reduce((n, f) => n + fileSize(f), 0),
        schemaVersion: SCHEMA_VERSION,
        tfBackend: doctor.tfBackend,
        tfBackendDetail: doctor.tfBackendDetail,
        tfjs: doctor.tfjs,
        doctor: formatDoctorReport(doctor),
      };
    },
  };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
