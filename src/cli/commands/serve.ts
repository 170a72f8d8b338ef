import type { Command } from 'commander';
import { AppService } from '../../app/services/app-service.ts';
import { defaultWorkspaceDir } from '../../app/paths.ts';
import { DEFAULT_PORT, isLoopback, startWebServer } from '../../server/web-server.ts';
import { addWorkspaceOption, type WorkspaceOption } from './app-cli.ts';

interface ServeOptions extends WorkspaceOption {
  port: string;
  host: string;
  token?: string;
  rendererDir?: string;
  importRoot?: string[];
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
      .option('--token <token>', 'token clients must send (Authorization: Bearer …); default $AUSCULT_TOKEN')
      .option('--renderer-dir <dir>', 'built renderer to serve (default out/renderer)')
      .option(
        '--import-root <dir...>',
        'folders clients may import from or watch (default: anywhere on loopback, nowhere otherwise)',
      ),
  ).action(async (opts: ServeOptions) => {
    if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535)
      throw new Error(`--port must be 0…65535, got "${opts.port}"`);
    // Path completion lists the same folders the server lets clients import from.
    const importRoots = opts.importRoot ?? (isLoopback(opts.host) ? null : []);
    const app = AppService.open(opts.workspace ?? defaultWorkspaceDir(), {
      tfBackend: 'loading',
      importRoots,
    });
    let server;
    try {
      await app.startWatching();
      server = await startWebServer(app, {
        host: opts.host,
        port: Number(opts.port),
        token: opts.token ?? process.env.AUSCULT_TOKEN,
        rendererDir: opts.rendererDir,
        importRoots: opts.importRoot,
      });
    } catch (err) {
      await app.close();
      throw err;
    }
    process.stdout.write(`Auscult web mode: ${server.url}\n`);
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
