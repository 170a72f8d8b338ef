import type { Command } from 'commander';
import { AppService } from '../../app/services/app-service.ts';
import { defaultWorkspaceDir } from '../../app/paths.ts';
import { DEFAULT_PORT, isLoopback, startWebServer } from '../../server/web-server.ts';
import { addWorkspaceOption, type WorkspaceOption } from './app-cli.ts';

interface ServeOptions extends WorkspaceOption {
  port: string;
  host: string;
  /** false with --no-token. */
  token?: string | false;
  allowHost?: string[];
  rendererDir?: string;
  importRoot?: string[];
  maxFileMib?: string;
}

export function registerServe(program: Command): void {
  addWorkspaceOption(
    program
      .command('serve')
      .description(
        'web mode: the API, events, audio and the built renderer over HTTP (runs jobs and watched folders)',
      )
      .option('-p, --port <n>', 'port (0: any free port)', String(DEFAULT_PORT))
      .option('--host <address>', 'address to bind; anything but loopback requires a token', '127.0.0.1')
      .option(
        '--token <token>',
        'fixed access token (default $AUSCULT_TOKEN, else a random one per launch, printed in the URL)',
      )
      .option('--no-token', 'no access token (loopback only: anyone on this computer can use the API)')
      .option(
        '--allow-host <name...>',
        "host names clients may use besides localhost and the bound address (e.g. this machine's DNS name)",
      )
      .option('--renderer-dir <dir>', 'built renderer to serve (default out/renderer)')
      .option('--max-file-mib <n>', 'largest file an import reads, MiB (default 2048)')
      .option(
        '--import-root <dir...>',
        'folders clients may import from or watch (default: anywhere on loopback, nowhere otherwise)',
      ),
  ).action(async (opts: ServeOptions) => {
    if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535)
      throw new Error(`--port must be 0…65535, got "${opts.port}"`);
    const maxFileMib = opts.maxFileMib === undefined ? undefined : Number(opts.maxFileMib);
    if (maxFileMib !== undefined && !(maxFileMib > 0 && maxFileMib <= 2048))
      throw new Error(`--max-file-mib must be a number of MiB in 1…2048, got "${opts.maxFileMib}"`);
    const app = AppService.open(opts.workspace ?? defaultWorkspaceDir(), {
      tfBackend: 'loading',
      // Imports and watched folders (checked again in the job process, file by file): the given
      // roots; anywhere on loopback; nowhere when bound to the network without --import-root.
      importRoots: opts.importRoot ?? (isLoopback(opts.host) ? undefined : []),
      maxImportFileBytes: maxFileMib === undefined ? undefined : Math.min(2 ** 31 - 1, maxFileMib * 2 ** 20),
    });
    let server;
    try {
      await app.startWatching();
      server = await startWebServer(app, {
        host: opts.host,
        port: Number(opts.port),
        token: opts.token === false ? undefined : (opts.token ?? (process.env.AUSCULT_TOKEN || undefined)),
        noToken: opts.token === false,
        allowHosts: opts.allowHost,
        rendererDir: opts.rendererDir,
        importRoots: opts.importRoot,
      });
    } catch (err) {
      await app.close();
      throw err;
    }
    // Like Jupyter: the URL carries the per-launch token; the page trades it for a cookie.
    process.stdout.write(`Auscult web mode: ${server.openUrl}\n`);
    process.stdout.write(`workspace ${(await app.call('app/info', {})).workspace}; press Ctrl+C to stop\n`);
    // Which TF.js backend job processes get (same environment): loaded after the URL is out,
    // so start-up is not held up by the wasm binaries.
    void import('../../engine/tf.ts')
      .then(({ loadTf }) => loadTf())
      .then((tf) => app.setTfBackend(tf.backend))
      .catch((err: Error) => app.setTfBackend(`unavailable: ${err.message}`));
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await app.close();
  });
}
