import type { Command } from 'commander';
import {
  RECORDING_LABELS,
  RECORDING_ROLES,
  type RecordingLabel,
  type RecordingRole,
} from '../../shared/domain.ts';
import { addWorkspaceOption, oneOf, printJson, resolveProject, withApp, type WorkspaceOption } from './app-cli.ts';
import { resolveMachine } from './machines.ts';

export function registerRecordings(program: Command): void {
  const cmd = program.command('recordings').description('list recordings with scores and health; move one');

  addWorkspaceOption(
    cmd
      .command('list <project>')
      .description('newest first: role, label, score, health index (1 = threshold), alarm, level finding')
      .option('--machine <type/name>', 'only this machine')
      .option('--role <role>', `only this role (${RECORDING_ROLES.join(', ')})`)
      .option('--label <label>', `only this label (${RECORDING_LABELS.join(', ')})`)
      .option('--limit <n>', 'most recordings to list', '50')
      .option('--json', 'print JSON'),
  ).action(
    async (
      p: string,
      opts: WorkspaceOption & {
        machine?: string;
        role?: string;
        label?: string;
        limit: string;
        json?: boolean;
      },
    ) => {
      if (!/^\d+$/.test(opts.limit) || Number(opts.limit) < 1)
        throw new Error(`--limit must be a positive integer, got "${opts.limit}"`);
      await withApp(opts, async (app) => {
        const project = await resolveProject(app, p);
        const machine = opts.machine ? await resolveMachine(app, project, opts.machine) : undefined;
        const page = await app.call('recordings/list', {
          projectId: project.id,
          machineId: machine?.id,
          role: oneOf<RecordingRole>('--role', opts.role, RECORDING_ROLES),
          label: oneOf<RecordingLabel>('--label', opts.label, RECORDING_LABELS),
          limit: Number(opts.limit),
        });
        if (opts.json) return printJson(page);
        process.stdout.write(`${page.items.length} of ${page.total} recordings\n`);
        for (const r of page.items) {
          const health = r.score?.healthIndex;
          process.stdout.write(
            `${String(r.id).padStart(6)}  ${r.role.padEnd(7)} ${r.label.padEnd(7)} ${(health === null || health === undefined ? '—' : health.toFixed(2)).padStart(6)}${r.score?.alarming ? ' ALARM' : '      '} ${(r.alarmStatus ?? '').padEnd(17)} ${r.fileName}${r.level.finding ? `  (${r.level.finding})` : ''}${r.warnings.length ? `  [${r.warnings.length} decoder warning(s)]` : ''}\n`,
          );
        }
      });
    },
  );

  addWorkspaceOption(
    cmd
      .command('update <project> <recordingId>')
      .description(
        'move a recording to another machine, role or label (audit-logged; affected back-ends are refitted)',
      )
      .option('--machine <type/name>', 'machine of the same project')
      .option('--role <role>', RECORDING_ROLES.join(', '))
      .option('--label <label>', RECORDING_LABELS.join(', '))
      .option('--json', 'print JSON'),
  ).action(
    async (
      p: string,
      id: string,
      opts: WorkspaceOption & { machine?: string; role?: string; label?: string; json?: boolean },
    ) => {
      if (!/^\d+$/.test(id)) throw new Error(`recording id must be a positive integer, got "${id}"`);
      await withApp(opts, async (app) => {
        const project = await resolveProject(app, p);
        const machine = opts.machine ? await resolveMachine(app, project, opts.machine) : undefined;
        const r = await app.call(
          'recordings/update',
          {
            recordingId: Number(id),
            machineId: machine?.id,
            role: oneOf<RecordingRole>('--role', opts.role, RECORDING_ROLES),
            label: oneOf<RecordingLabel>('--label', opts.label, RECORDING_LABELS),
          },
          'cli',
        );
        if (opts.json) return printJson(r);
        process.stdout.write(
          `recording ${r.id} (${r.fileName}): machine ${r.machineId}, role ${r.role}, label ${r.label}\n`,
        );
      });
    },
  );
}
