/**
 * Issue 9, finding 7: recovering jobs left "running" by a dead application never kills a stranger
 * whose pid happens to be the stored one, and read-only tools never kill at all.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { JobManager } from '../../../src/app/jobs/job-manager.ts';
import { processIdentity } from '../../../src/app/jobs/process-identity.ts';
import { Workspace } from '../../../src/app/workspace.ts';
import { REPO_DIR } from '../../helpers/shared.ts';
import { tempDir, writeToneWav } from '../helpers/workspace.ts';
import { fakeUtilityProcess } from '../helpers/fake-utility-process.ts';
import { utilityProcessLauncher } from '../../../src/app/jobs/utility-process-launcher.ts';

const DEAD_PID = 2 ** 22 + 19; // above pid_max: no process has it
const onLinux = process.platform === 'linux';

let t: ReturnType<typeof tempDir>;
let ws: Workspace;
let stranger: ChildProcess;
let strangerExit: Promise<NodeJS.Signals | null>;
let jobs: JobManager | undefined;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeEach(() => {
  t = tempDir();
  ws = Workspace.open(path.join(t.dir, 'ws'));
  // Any process of the user: the kind a recycled pid may belong to.
  stranger = spawn('sleep', ['120'], { stdio: 'ignore' });
  strangerExit = new Promise((resolve) => stranger.once('exit', (_code, signal) => resolve(signal)));
});
afterEach(async () => {
  await jobs?.close();
  jobs = undefined;
  if (stranger.exitCode === null && stranger.signalCode === null) stranger.kill('SIGKILL');
  await strangerExit;
  ws.close();
  t.cleanup();
});

/** A job row as a dead application leaves it: running, owner gone, worker pid = the stranger's. */
function orphanedJob(workerStart: string | null): number {
  const p = ws.projects.create({ name: `p${Math.random()}` });
  const j = ws.jobs.create({ projectId: p.id, kind: 'import', params: {} });
  ws.jobs.markRunning(j.id, stranger.pid!, DEAD_PID, { workerStart, ownerStart: 'gone:1' });
  return j.id;
}

describe('job recovery never kills strangers (finding 7)', () => {
  it('marks the job interrupted but leaves a process whose pid was recycled alone', () => {
    const id = orphanedJob('another-boot:4242'); // the worker that ran it, long gone
    jobs = new JobManager(ws);
    expect(ws.jobs.get(id)).toMatchObject({ status: 'interrupted' });
    expect(alive(stranger.pid!)).toBe(true);
  });

  it('does not kill on a row from before start identities were stored either', () => {
    const id = orphanedJob(null);
    jobs = new JobManager(ws);
    expect(ws.jobs.get(id)).toMatchObject({ status: 'interrupted' });
    expect(alive(stranger.pid!)).toBe(true);
  });

  it.runIf(onLinux)(
    "kills a worker that is provably the job's, but never from a read-only manager",
    async () => {
      const id = orphanedJob(processIdentity(stranger.pid)!);
      const readOnly = new JobManager(ws, { runJobs: false });
      await readOnly.close();
      expect(alive(stranger.pid!)).toBe(true);
      expect(ws.jobs.get(id)!.status).toBe('running');
      jobs = new JobManager(ws);
      expect(await strangerExit).toBe('SIGKILL');
      expect(ws.jobs.get(id)).toMatchObject({ status: 'interrupted' });
    },
  );

  it.runIf(onLinux)(
    '`auscult status` (read-only) kills nothing',
    async () => {
      const id = orphanedJob(processIdentity(stranger.pid)!);
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [path.join(REPO_DIR, 'bin', 'auscult.mjs'), 'status', '--workspace', ws.dir],
        { timeout: 120_000 },
      );
      expect(stdout).toMatch(/workspace/);
      expect(alive(stranger.pid!)).toBe(true);
      expect(ws.jobs.get(id)!.status).toBe('running');
    },
    130_000,
  );

  it('stores the start identity of the processes it starts', async () => {
    const p = ws.projects.create({ name: 'real' });
    jobs = new JobManager(ws);
    const job = jobs.enqueue('import', { projectId: p.id, sources: [path.join(t.dir, 'none')] }, p.id);
    const row = ws.db.prepare('SELECT worker_start, owner_start FROM job WHERE id = ?').get(job.id) as {
      worker_start: string | null;
      owner_start: string | null;
    };
    if (onLinux) {
      expect(row.worker_start).toMatch(/^[\w-]+:\d+$/);
      expect(row.owner_start).toBe(processIdentity(process.pid));
    }
    await jobs.waitFor(job.id);
  });

  it.runIf(onLinux)(
    "the job process records its own pid and start time (launchers without a pid, like Electron's)",
    async () => {
      const p = ws.projects.create({ name: 'no pid' });
      const src = path.join(t.dir, 'in', 'fan_id_00');
      writeToneWav(path.join(src, 'normal_0.wav'));
      let childPid = 0;
      // Electron's utilityProcess reports no pid until it has spawned.
      const pidless = utilityProcessLauncher({
        fork: (entry, args, options) => {
          const child = fakeUtilityProcess.fork(entry, args, options);
          childPid = child.pid!;
          return {
            pid: undefined,
            postMessage: (m: unknown) => child.postMessage(m),
            on: ((event: 'message' | 'exit', listener: (x: never) => void) =>
              child.on(event as 'message', listener as (m: unknown) => void)) as typeof child.on,
            kill: () => child.kill(),
          };
        },
      });
      jobs = new JobManager(ws, { launcher: pidless });
      const job = jobs.enqueue('import', { projectId: p.id, sources: [path.dirname(src)] }, p.id);
      let seen: { worker_pid: number | null; worker_start: string | null } | undefined;
      const off = jobs.on('job', (j) => {
        if (j.id === job.id && j.status === 'running' && j.progress > 0)
          seen ??= ws.db
            .prepare('SELECT worker_pid, worker_start FROM job WHERE id = ?')
            .get(job.id) as typeof seen;
      });
      await jobs.waitFor(job.id);
      off();
      const row =
        seen ??
        (ws.db.prepare('SELECT worker_pid, worker_start FROM job WHERE id = ?').get(job.id) as typeof seen)!;
      expect(row!.worker_pid).toBe(childPid);
      expect(row!.worker_start).toMatch(/^[\w-]+:\d+$/);
    },
  );
});
