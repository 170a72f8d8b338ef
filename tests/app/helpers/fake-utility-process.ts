import { fork } from 'node:child_process';
import type { UtilityChildLike, UtilityProcessLike } from '../../../src/app/jobs/utility-process-launcher.ts';

/**
 * A stand-in for Electron's `utilityProcess` built on child_process.fork (the worker then uses
 * process.send instead of process.parentPort): it checks the launcher's wiring, not Electron.
 * `execArgv` is `--import tsx` for the TypeScript worker, empty for a bundled one.
 */
export function forkingUtilityProcess(execArgv: string[], onFork?: (modulePath: string) => void): UtilityProcessLike {
  return {
    fork(modulePath) {
      onFork?.(modulePath);
      const child = fork(modulePath, [], { execArgv, serialization: 'advanced' });
      const wrapped: UtilityChildLike = {
        get pid() {
          return child.pid;
        },
        postMessage: (m) => void child.send(m as object),
        on: (event: 'message' | 'exit', listener: (x: never) => void) =>
          event === 'message'
            ? child.on('message', listener as (m: unknown) => void)
            : child.on('exit', (code, signal) => (listener as (c: number) => void)(code ?? (signal ? 128 : 0))),
        kill: () => child.kill(),
      };
      return wrapped;
    },
  };
}

export const fakeUtilityProcess: UtilityProcessLike = forkingUtilityProcess(['--import', 'tsx']);
