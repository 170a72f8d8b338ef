import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_DIR } from '../helpers/shared.ts';

export interface RunningServer {
  /** Root URL (no token). */
  url: string;
  /** The URL `auscult serve` printed (with `?token=` when a token is in force). */
  openUrl: string;
  home: string;
  stop(): Promise<void>;
}

/**
 * Starts `auscult serve --port 0` on a fresh workspace and resolves with the URL it prints.
 * Screen tests run it with `--no-token` (loopback) so they can call the API directly; pass `token`
 * to run it as users do, behind a token (the page at `openUrl` trades it for a cookie).
 */
export async function startWebServer(
  options: { home?: string; env?: NodeJS.ProcessEnv; token?: string } = {},
): Promise<RunningServer> {
  const home = options.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(REPO_DIR, 'bin', 'auscult.mjs'),
      'serve',
      '--port',
      '0',
      ...(options.token ? ['--token', options.token] : ['--no-token']),
    ],
    {
      cwd: REPO_DIR,
      env: { ...process.env, ...options.env, AUSCULT_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const openUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Auscult web mode: (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const url = openUrl.split('?')[0]!;
  return {
    url: url.endsWith('/') ? url : `${url}/`,
    openUrl,
    home,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
