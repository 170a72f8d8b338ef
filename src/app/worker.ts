/**
 * Entry point of a job process (child_process.fork under Node, utilityProcess under Electron).
 * Receives one `run` message, runs that job's handler against its own connection to the
 * workspace database, streams progress/log/alarm messages back, and exits.
 */
import type { Alarm } from '../shared/domain.ts';
import { JobCancelledError, JobFailure, type FromWorker, type ToWorker } from './jobs/protocol.ts';
import { JOB_HANDLERS } from './jobs/handlers.ts';
import { parseJobParams } from './jobs/params.ts';
import { processIdentity } from './jobs/process-identity.ts';
import { testGate } from './jobs/test-gate.ts';
import type { JobHandler } from './jobs/context.ts';
import type { JobKind } from '../shared/domain.ts';
import { Workspace } from './workspace.ts';
import os from 'node:os';

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

// Electron's utilityProcess exposes process.parentPort; child_process.fork uses process.send.
const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromWorker): Promise<void> {
  if (electronPort) {
    electronPort.postMessage(message);
    return new Promise((resolve) => setTimeout(resolve, 50));
  }
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, undefined, () => resolve());
  });
}

function onMessage(listener: (m: ToWorker) => void): void {
  if (electronPort) electronPort.on('message', (e) => listener(e.data as ToWorker));
  else process.on('message', (m) => listener(m as ToWorker));
}

// Without the application there is nobody to report to: stop rather than linger as an orphan.
process.on('disconnect', () => process.exit(2));

// Jobs (training above all) take every core they get: they run below the application's priority
// so that the window and the web server stay responsive while they work.
try {
  os.setPriority(Math.min(19, os.getPriority() + 10));
} catch {
  // Not permitted here (some containers): the job runs at the application's priority.
}

const PROGRESS_INTERVAL_MS = 200;
const abort = new AbortController();
let started = false;

onMessage((m) => {
  if (m.type === 'cancel') {
    abort.abort();
    return;
  }
  if (m.type !== 'run' || started) return;
  started = true;
  void run(m);
});

async function run(m: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  let lastProgressAt = 0;
  let ws: Workspace | undefined;
  try {
    const handler = JOB_HANDLERS[m.kind] as JobHandler<JobKind> | undefined;
    if (!handler) throw new Error(`unknown job kind "${m.kind}"`);
    const params = parseJobParams(m.kind, m.params);
    const gate = testGate(m.jobId);
    ws = Workspace.open(m.workspaceDir);
    // Who runs the job, as this process knows it best (Electron's utilityProcess has no pid yet
    // when the manager records the job as running): recovery kills only a provably-ours process.
    ws.jobs.recordWorker(m.jobId, process.pid, processIdentity(process.pid) ?? null);
    const result = await handler(
      {
        jobId: m.jobId,
        ws,
        signal: abort.signal,
        progress(fraction, message = '') {
          const now = Date.now();
          if (now - lastProgressAt < PROGRESS_INTERVAL_MS && fraction < 1) return;
          lastProgressAt = now;
          void send({ type: 'progress', progress: Math.min(1, Math.max(0, fraction)), message });
        },
        log: (line) => void send({ type: 'log', line }),
        alarm: (alarm: Alarm) => void send({ type: 'alarm', alarm }),
        trainingEpoch: (epoch) => void send({ type: 'trainingEpoch', epoch }),
        checkpoint: async (done) => {
          if (gate) await gate(done, abort.signal);
        },
      },
      params,
    );
    ws.close();
    await send({ type: 'done', result });
  } catch (err) {
    const cancelled = err instanceof JobCancelledError || abort.signal.aborted;
    ws?.close();
    await send({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
      cancelled,
      ...(err instanceof JobFailure ? { result: err.result } : {}),
    });
  }
  process.exit(0);
}
