import type { Command } from 'commander';
import {
  addWorkspaceOption,
  printJson,
  resolveProject,
  withApp,
  workspaceDir,
  type WorkspaceOption,
} from './app-cli.ts';
import { TRAINING_DEFAULTS } from '../../shared/training-config.ts';
import { projectTrainOptionsFrom, runProjectTraining } from './project-train.ts';

export function registerProject(program: Command): void {
  const project = program.command('project').description('factory lines: create, list, watch a folder');

  addWorkspaceOption(
    project
      .command('create <name>')
      .description('create a project (one per factory line)')
      .option('-d, --description <text>', 'description', '')
      .option('--json', 'print the project as JSON'),
  ).action(async (name: string, opts: WorkspaceOption & { description: string; json?: boolean }) => {
    await withApp(opts, async (app) => {
      const p = await app.call('projects/create', { name, description: opts.description }, 'cli');
      if (opts.json) printJson(p);
      else process.stdout.write(`created project ${p.id} "${p.name}" in ${await workspaceDir(app)}\n`);
    });
  });

  addWorkspaceOption(
    project.command('list').description('list projects').option('--json', 'print JSON'),
  ).action(async (opts: WorkspaceOption & { json?: boolean }) => {
    await withApp(opts, async (app) => {
      const projects = await app.call('projects/list', {});
      if (opts.json) return printJson(projects);
      if (projects.length === 0) return void process.stdout.write(`no projects in ${await workspaceDir(app)}\n`);
      for (const p of projects) {
        const machines = (await app.call('machines/list', { projectId: p.id })).length;
        const recordings = (await app.call('recordings/list', { projectId: p.id, limit: 1 })).total;
        process.stdout.write(
          `${String(p.id).padStart(4)}  ${p.name.padEnd(30)} ${machines} machines, ${recordings} recordings${p.watchDir ? `, watching ${p.watchDir}` : ''}\n`,
        );
      }
    });
  });

  addWorkspaceOption(
    project
      .command('watch <project> [dir]')
      .description(
        'watch a folder for new recordings (imported as "monitor", scored, alarms raised) while `auscult serve` runs',
      )
      .option('--copy', 'copy new files into the workspace instead of referencing them')
      .option('--off', 'stop watching'),
  ).action(
    async (
      nameOrId: string,
      dir: string | undefined,
      opts: WorkspaceOption & { copy?: boolean; off?: boolean },
    ) => {
      if (!dir && !opts.off) throw new Error('give the folder to watch, or --off');
      await withApp(
        opts,
        async (app) => {
          const p = await resolveProject(app, nameOrId);
          const updated = await app.call(
            'projects/watch',
            { projectId: p.id, dir: opts.off ? null : dir!, copy: opts.copy ?? false },
            'cli',
          );
          process.stdout.write(
            updated.watchDir
              ? `project "${p.name}" watches ${updated.watchDir}\n`
              : `project "${p.name}" watches no folder\n`,
          );
        },
        { watch: true },
      );
    },
  );

  addWorkspaceOption(
    project
      .command('train <project>')
      .description(
        'train an SC-AdaCos model on the normal clips of all machines of the line (they are the classes), then rescore',
      )
      .option('-S, --subclusters <n>', 'sub-clusters per machine (S)', String(TRAINING_DEFAULTS.subclusters))
      .option('--preset <name>', 'quick (CPU, minutes), standard, paper (400 epochs)', TRAINING_DEFAULTS.preset)
      .option('--epochs <n>', "override the preset's epochs")
      .option('--seed <n>', 'seed', String(TRAINING_DEFAULTS.seed))
      .option('--resume <modelId>', 'continue an interrupted or failed training from its last checkpoint')
      .option('--json', 'print JSON')
      .option('--no-progress', 'no progress bar'),
  ).action(async (nameOrId: string, opts: Record<string, string | boolean | undefined>) => {
    await runProjectTraining(
      projectTrainOptionsFrom(nameOrId, opts as Parameters<typeof projectTrainOptionsFrom>[1]),
    );
  });
}
