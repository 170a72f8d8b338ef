import type { Command } from 'commander';
import type { DashboardSummary } from '../../shared/api.ts';
import {
  addWorkspaceOption,
  printJson,
  resolveProject,
  withApp,
  workspaceDir,
  type WorkspaceOption,
} from './app-cli.ts';

export function registerStatus(program: Command): void {
  addWorkspaceOption(
    program
      .command('status [project]')
      .description('machines, scores, thresholds, open alarms and jobs of every project (or one)')
      .option('--json', 'print JSON'),
  ).action(async (nameOrId: string | undefined, opts: WorkspaceOption & { json?: boolean }) => {
    await withApp(opts, async (app) => {
      const projects = nameOrId ? [await resolveProject(app, nameOrId)] : await app.call('projects/list', {});
      const summaries: DashboardSummary[] = [];
      for (const p of projects) summaries.push(await app.call('dashboard/summary', { projectId: p.id }));
      const recentJobs = await app.call('jobs/list', { limit: 10 });
      const workspace = await workspaceDir(app);
      if (opts.json) return printJson({ workspace, projects: summaries, recentJobs });
      process.stdout.write(`workspace ${workspace}\n`);
      for (const s of summaries) {
        const model = s.activeModel
          ? `model ${s.activeModel.id} (${s.activeModel.kind}${s.activeModel.kind === 'sc-adacos' ? `, S=${s.activeModel.subclusters}` : ''})`
          : 'no scores yet';
        process.stdout.write(
          `\n${s.project.name} (project ${s.project.id}): ${model}, ${s.openAlarms} open alarms\n`,
        );
        for (const m of s.machines) {
          const health = m.lastScore?.healthIndex;
          const last = health === null || health === undefined ? '—' : health.toFixed(2);
          process.stdout.write(
            `  ${`${m.machine.type}/${m.machine.name}`.padEnd(24)} ${m.status.state.padEnd(9)} train ${String(m.trainCount).padStart(5)}  recordings ${String(m.recordingCount).padStart(6)}  scored ${String(m.scoredCount).padStart(6)}  last health ${last.padStart(6)}  alarms ${m.openAlarms}${m.backend ? `  [${m.backend}]` : ''}  (${m.status.reason})\n`,
          );
        }
        for (const j of s.runningJobs)
          process.stdout.write(
            `  job ${j.id} ${j.kind} ${j.status} ${Math.round(j.progress * 100)}% ${j.progressMessage}\n`,
          );
      }
    });
  });
}
