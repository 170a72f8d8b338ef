import type { Command } from 'commander';
import type { MachineListItem } from '../../shared/api.ts';
import type { Project } from '../../shared/domain.ts';
import type { AppService } from '../../app/services/app-service.ts';
import { addWorkspaceOption, printJson, resolveProject, withApp, type WorkspaceOption } from './app-cli.ts';

/** A machine of a project by id or "type/name", with a clear error listing what exists. */
export async function resolveMachine(
  app: AppService,
  project: Project,
  ref: string,
): Promise<MachineListItem> {
  const machines = await app.call('machines/list', { projectId: project.id });
  const found =
    machines.find((m) => `${m.type}/${m.name}` === ref) ??
    (/^\d+$/.test(ref) ? machines.find((m) => m.id === Number(ref)) : undefined);
  if (found) return found;
  const names = machines.map((m) => `${m.type}/${m.name} (${m.id})`);
  throw new Error(
    `no machine "${ref}" in "${project.name}"${names.length ? `; machines: ${names.join(', ')}` : ': import recordings first'}`,
  );
}

export function registerMachines(program: Command): void {
  addWorkspaceOption(
    program
      .command('machines <project>')
      .description("a project's machines with their state (ok / watch / alarm / no model) and why")
      .option('--json', 'print JSON'),
  ).action(async (nameOrId: string, opts: WorkspaceOption & { json?: boolean }) => {
    await withApp(opts, async (app) => {
      const project = await resolveProject(app, nameOrId);
      const machines = await app.call('machines/list', { projectId: project.id });
      if (opts.json) return printJson(machines);
      if (machines.length === 0) return void process.stdout.write(`no machines in "${project.name}"\n`);
      for (const m of machines)
        process.stdout.write(
          `${String(m.id).padStart(5)}  ${`${m.type}/${m.name}`.padEnd(24)} ${m.status.state.padEnd(9)} ${m.status.reason}\n`,
        );
    });
  });
}
