import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from './protocol.ts';

/** A running job process, whatever started it (child_process.fork, Electron utilityProcess). */
export interface JobProcess {
  readonly pid: number | undefined;
  send(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once when the process has ended: exit code, or the signal that killed it. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts the job-process entry `workerEntry`. The Electron shell injects one built on utilityProcess. */
export type JobProcessLauncher = (workerEntry: string) => JobProcess;

/** The TypeScript entry of job processes (`src/app/worker.ts`). */
export const WORKER_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'worker.ts');

/** Node launcher: child_process.fork with tsx's loader so the worker runs from TypeScript sources. */
export const forkLauncher: JobProcessLauncher = (workerEntry) => {
  const child = fork(workerEntry, [], {
    // tsx resolved from here, not from the working folder: `auscult` runs from any folder.
    execArgv: workerEntry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  child.on('exit', (code, signal) => {
    exited = true;
    for (const l of exitListeners) l(code, signal);
  });
  child.on('error', () => {
    // 'exit' follows spawn failures and kill errors; nothing else to do here.
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => {
      if (!exited && child.connected) child.send(m);
    },
    onMessage: (l) => child.on('message', (m) => l(m as FromWorker)),
    onExit: (l) => exitListeners.push(l),
    kill: (signal = 'SIGTERM') => {
      if (!exited) child.kill(signal);
    },
  };
};
