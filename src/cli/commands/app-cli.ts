/** Helpers shared by the CLI commands that work on a workspace (project, import, score, …). */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { AppService, type AppServiceOptions } from '../../app/services/app-service.ts';
import { defaultWorkspaceDir } from '../../app/paths.ts';
import type { Job, Project } from '../../shared/domain.ts';

export interface WorkspaceOption {
  workspace?: string;
}

export function addWorkspaceOption(cmd: Command): Command {
  return cmd.option(
    '-w, --workspace <dir>',
    'workspace folder (default: $AUSCULT_HOME or the user-data folder)',
  );
}

/** Opens the workspace's application services, runs `fn`, and always closes them. */
export async function withApp<T>(
  opts: WorkspaceOption,
  fn: (app: AppService) => Promise<T>,
  appOpts: AppServiceOptions = {},
): Promise<T> {
  // Commands run jobs only when they wait for them (import, score, train, demo): a read-only
  // command must not start a job it would abandon on exit.
  const app = AppService.open(opts.workspace ?? defaultWorkspaceDir(), {
    watch: false,
    runJobs: false,
    ...appOpts,
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** A project by id or exact name, with a clear error listing what exists. */
export async function resolveProject(app: AppService, nameOrId: string): Promise<Project> {
  const projects = await app.call('projects/list', {});
  const found =
    projects.find((p) => p.name === nameOrId) ??
    (/^\d+$/.test(nameOrId) ? projects.find((p) => p.id === Number(nameOrId)) : undefined);
  if (found) return found;
  const { workspace } = await app.call('app/info', {});
  const names = projects.map((p) => `"${p.name}" (${p.id})`);
  throw new Error(
    `no project "${nameOrId}" in ${workspace}${names.length ? `; projects: ${names.join(', ')}` : ': create one with `auscult project create <name>`'}`,
  );
}

/** The workspace folder the application opened. */
export async function workspaceDir(app: AppService): Promise<string> {
  return (await app.call('app/info', {})).workspace;
}

/** Resolves on the next job event (or after `ms`, for jobs another application runs). */
function nextJobEvent(app: AppService, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const off = app.on('job', done);
    function done(): void {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}

/**
 * Waits until the project has no queued or running job (chained jobs included: an import is
 * followed by scoring), showing each job's progress on stderr when it is a terminal. Returns
 * every job of the project that was active while it waited, as finished.
 */
export async function waitForProjectJobs(
  app: AppService,
  projectId: number,
  opts: { progress?: boolean } = {},
): Promise<Job[]> {
  const seen = new Set<number>();
  const bar =
    opts.progress !== false && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: '{kind} [{bar}] {percentage}% | {message}', clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let barJob: number | undefined;
  const off = app.on('job', (j) => {
    if (j.projectId !== projectId) return;
    seen.add(j.id);
    if (!bar) return;
    if (barJob !== j.id && j.status === 'running') {
      if (barJob !== undefined) bar.stop();
      barJob = j.id;
      bar.start(100, 0, { kind: j.kind, message: '' });
    }
    if (barJob === j.id) bar.update(Math.round(j.progress * 100), { kind: j.kind, message: j.progressMessage });
  });
  try {
    for (;;) {
      const active = await app.call('jobs/list', { projectId, status: ['queued', 'running'] });
      for (const j of active) seen.add(j.id);
      if (active.length === 0) break;
      await nextJobEvent(app, 500);
    }
  } finally {
    off();
    bar?.stop();
  }
  const ids = [...seen].sort((a, b) => a - b);
  return Promise.all(ids.map((jobId) => app.call('jobs/get', { jobId })));
}

/** An option's value checked against its allowed values (undefined when not given). */
export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Fails the command (exit 1) with the job's error when a job did not succeed. */
export function assertSucceeded(job: Job): void {
  if (job.status !== 'succeeded')
    throw new Error(`${job.kind} job ${job.id} ${job.status}: ${job.error ?? 'no reason recorded'}`);
}
