import type { Command } from 'commander';
import path from 'node:path';
import { IMPORT_MAPPINGS } from '../../shared/api.ts';
import {
  RECORDING_LABELS,
  RECORDING_ROLES,
  type RecordingLabel,
  type RecordingRole,
} from '../../shared/domain.ts';
import {
  addWorkspaceOption,
  assertSucceeded,
  oneOf,
  printJson,
  resolveProject,
  waitForProjectJobs,
  withApp,
  type WorkspaceOption,
} from './app-cli.ts';
import type { ImportResult } from '../../shared/api.ts';

interface ImportOptions extends WorkspaceOption {
  copy?: boolean;
  role?: string;
  label?: string;
  mapping: string;
  machine?: string;
  json?: boolean;
  progress: boolean;
}

export function registerImport(program: Command): void {
  addWorkspaceOption(
    program
      .command('import <project> <paths...>')
      .description('import recordings (folders recursively, or files) into a project, then score them')
      .option('--copy', 'copy files into the workspace (default: reference them where they are)')
      .option(
        '--role <role>',
        `role of the recordings: ${RECORDING_ROLES.join(', ')} (default: from the DCASE layout, else train)`,
      )
      .option('--label <label>', `label: ${RECORDING_LABELS.join(', ')} (default: from the file name)`)
      .option('--mapping <how>', `files → machines: ${IMPORT_MAPPINGS.join(', ')}`, 'auto')
      .option('--machine <type/name>', 'put every file on this machine (e.g. fan/id_00)')
      .option('--json', 'print the import and scoring results as JSON')
      .option('--no-progress', 'no progress bar'),
  ).action(async (nameOrId: string, paths: string[], opts: ImportOptions) => {
    const role = oneOf<RecordingRole>('--role', opts.role, RECORDING_ROLES);
    const label = oneOf<RecordingLabel>('--label', opts.label, RECORDING_LABELS);
    const mapping = oneOf('--mapping', opts.mapping, IMPORT_MAPPINGS)!;
    let machine: { type: string; name: string } | undefined;
    if (opts.machine) {
      const [type, name, ...rest] = opts.machine.split('/');
      if (!type || !name || rest.length)
        throw new Error(`--machine must be <type>/<name>, e.g. fan/id_00; got "${opts.machine}"`);
      machine = { type, name };
    }
    await withApp(
      opts,
      async (app) => {
        const project = await resolveProject(app, nameOrId);
        const job = await app.call(
          'recordings/import',
          {
            projectId: project.id,
            sources: paths.map((p) => path.resolve(p)),
            mapping: machine && mapping === 'auto' ? 'single-machine' : mapping,
            machine,
            role,
            label,
            copy: opts.copy ?? false,
          },
          'cli',
        );
        const jobs = await waitForProjectJobs(app, project.id, { progress: opts.progress });
        const imported = await app.call('jobs/get', { jobId: job.id });
        const errors = await app.call('recordings/importErrors', {
          projectId: project.id,
          jobId: job.id,
          limit: 10_000,
        });
        const scoring = jobs.filter((j) => j.kind === 'score');
        if (opts.json) {
          printJson({
            import: { status: imported.status, error: imported.error, ...imported.result },
            errors,
            scoring: scoring.map((j) => ({ id: j.id, status: j.status, result: j.result, error: j.error })),
          });
          return assertSucceeded(imported);
        }
        const r = imported.result as ImportResult | null;
        if (r) {
          process.stdout.write(
            `${r.imported} imported, ${r.duplicates} already in the project, ${r.failed} failed (of ${r.found} audio files found)${r.unreadableSources ? `; ${r.unreadableSources} source(s) could not be read` : ''}\n`,
          );
          for (const w of r.withWarnings) process.stdout.write(`  warning: ${w.path}: ${w.warnings.join('; ')}\n`);
        }
        for (const e of errors) process.stdout.write(`  failed: ${e.error}\n`);
        assertSucceeded(imported);
        for (const s of scoring) {
          if (s.status !== 'succeeded') process.stdout.write(`scoring job ${s.id} ${s.status}: ${s.error}\n`);
          else {
            const sr = s.result as {
              scored: number;
              alarms: number;
              backend: string;
              skippedMachines: { reason: string }[];
            };
            process.stdout.write(
              `scored ${sr.scored} recordings with the ${sr.backend} back-end, ${sr.alarms} new alarms\n`,
            );
            for (const m of sr.skippedMachines) process.stdout.write(`  not scored: ${m.reason}\n`);
          }
        }
      },
      { runJobs: true },
    );
  });
}
