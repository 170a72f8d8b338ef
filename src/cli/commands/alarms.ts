import type { Command } from 'commander';
import { ALARM_STATUSES, TRIAGE_STATUSES, type AlarmStatus } from '../../shared/domain.ts';
import { addWorkspaceOption, printJson, resolveProject, withApp, type WorkspaceOption } from './app-cli.ts';

interface AlarmsOptions extends WorkspaceOption {
  status?: string;
  all?: boolean;
  limit: string;
  json?: boolean;
  set?: string;
  as?: string;
  note?: string;
  addToTraining?: boolean;
}

export function registerAlarms(program: Command): void {
  addWorkspaceOption(
    program
      .command('alarms <project>')
      .description('list alarms (default: open ones), or triage one with --set <alarm id> --as <status>')
      .option('--status <list>', `comma-separated statuses (${ALARM_STATUSES.join(', ')})`)
      .option('--all', 'every alarm, whatever its status')
      .option('--limit <n>', 'most alarms to list', '50')
      .option('--set <alarmId>', 'alarm to triage')
      .option('--as <status>', `new status: ${TRIAGE_STATUSES.join(', ')}`)
      .option('--note <text>', 'note to store with the alarm')
      .option(
        '--add-to-training',
        'with --as false_alarm: use the clip as normal training data for the next model',
      )
      .option('--json', 'print JSON'),
  ).action(async (nameOrId: string, opts: AlarmsOptions) => {
    await withApp(opts, async (app) => {
      const project = await resolveProject(app, nameOrId);
      if (opts.set !== undefined) {
        if (!/^\d+$/.test(opts.set)) throw new Error(`--set must be an alarm id, got "${opts.set}"`);
        if (opts.as !== undefined && !(TRIAGE_STATUSES as readonly string[]).includes(opts.as))
          throw new Error(`--as must be one of ${TRIAGE_STATUSES.join(', ')}, got "${opts.as}"`);
        const a = await app.call(
          'alarms/update',
          {
            alarmId: Number(opts.set),
            status: opts.as as (typeof TRIAGE_STATUSES)[number] | undefined,
            note: opts.note,
            addToTraining: opts.addToTraining,
          },
          'cli',
        );
        if (opts.json) return printJson(a);
        return void process.stdout.write(`alarm ${a.id} is now ${a.status}\n`);
      }
      const statuses = opts.all
        ? undefined
        : ((opts.status?.split(',').map((s) => s.trim()) ?? ['new', 'acknowledged']) as AlarmStatus[]);
      for (const s of statuses ?? [])
        if (!(ALARM_STATUSES as readonly string[]).includes(s))
          throw new Error(`--status: unknown status "${s}" (known: ${ALARM_STATUSES.join(', ')})`);
      const alarms = await app.call('alarms/list', {
        projectId: project.id,
        status: statuses,
        limit: Number(opts.limit),
      });
      if (opts.json) return printJson(alarms);
      if (alarms.length === 0)
        return void process.stdout.write(
          `no ${statuses ? statuses.join('/') + ' ' : ''}alarms in "${project.name}"\n`,
        );
      for (const a of alarms) {
        const { recording: rec, machine: m } = await app.call('recordings/get', { recordingId: a.recordingId });
        process.stdout.write(
          `${String(a.id).padStart(5)}  ${a.status.padEnd(17)} ${`${m.type}/${m.name}`.padEnd(20)} score ${a.scoreValue.toFixed(3)} ≥ ${a.thresholdValue.toFixed(3)}  ${rec.fileName}  ${a.createdAt}${a.note ? `  "${a.note}"` : ''}\n`,
        );
      }
    });
  });
}
