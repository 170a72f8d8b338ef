import type { JobProcess, JobProcessLauncher } from './launcher.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

/** The part of Electron's `utilityProcess` child the launcher uses (no Electron import here). */
export interface UtilityChildLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** Electron's `utilityProcess` (passed in by the Electron main process). */
export interface UtilityProcessLike {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'inherit' | 'ignore' | 'pipe' },
  ): UtilityChildLike;
}

/**
 * Job processes as Electron utility processes: `AppService.open(dir, { launcher:
 * utilityProcessLauncher(utilityProcess), workerEntry: <built worker.js> })`. The worker talks to
 * `process.parentPort`; utility processes report only an exit code, so a kill shows as one.
 */
export function utilityProcessLauncher(utilityProcess: UtilityProcessLike): JobProcessLauncher {
  return (workerEntry) => {
    const child = utilityProcess.fork(workerEntry, [], { serviceName: 'Auscult job', stdio: 'inherit' });
    let exited = false;
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    child.on('exit', (code) => {
      exited = true;
      for (const l of exitListeners) l(code, null);
    });
    const proc: JobProcess = {
      get pid() {
        return child.pid;
      },
      send: (m: ToWorker) => {
        if (!exited) child.postMessage(m);
      },
      onMessage: (l) => void child.on('message', (m) => l(m as FromWorker)),
      onExit: (l) => void exitListeners.push(l),
      kill: () => {
        if (!exited) child.kill();
      },
    };
    return proc;
  };
}
