import { SCHEMA_VERSION } from '../db/migrations.ts';
import { packageVersion } from '../environment.ts';
import type { AppContext } from '../app-context.ts';
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
  };
}
