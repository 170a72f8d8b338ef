import type { Command } from 'commander';
import {
  addWorkspaceOption,
  assertSucceeded,
  printJson,
  resolveProject,
  waitForProjectJobs,
  withApp,
  type WorkspaceOption,
} from './app-cli.ts';

export function registerScore(program: Command): void {
  addWorkspaceOption(
    program
      .command('score <project>')
      .description(
        "score the project's unscored test/monitor recordings (active model, else the mean-log-Mel baseline)",
      )
      .option('--model <id>', 'score with this model instead of the active one')
      .option('--json', 'print the result as JSON')
      .option('--no-progress', 'no progress bar'),
  ).action(
    async (
      nameOrId: string,
      opts: WorkspaceOption & { model?: string; json?: boolean; progress: boolean },
    ) => {
      if (opts.model !== undefined && !/^\d+$/.test(opts.model))
        throw new Error(`--model must be a model id, got "${opts.model}"`);
      await withApp(
        opts,
        async (app) => {
          const project = await resolveProject(app, nameOrId);
          const job = await app.call(
            'scores/run',
            { projectId: project.id, ...(opts.model ? { modelId: Number(opts.model) } : {}) },
            'cli',
          );
          await waitForProjectJobs(app, project.id, { progress: opts.progress });
          const done = await app.call('jobs/get', { jobId: job.id });
          assertSucceeded(done);
          if (opts.json) return printJson(done.result);
          const r = done.result as {
            scored: number;
            alarms: number;
            failed: number;
            backend: string;
            modelId: number;
            skippedMachines: { reason: string }[];
          };
          process.stdout.write(
            `scored ${r.scored} recordings with model ${r.modelId} (${r.backend} back-end): ${r.alarms} new alarms, ${r.failed} failed\n`,
          );
          for (const m of r.skippedMachines) process.stdout.write(`  not scored: ${m.reason}\n`);
        },
        { runJobs: true },
      );
    },
  );
}
