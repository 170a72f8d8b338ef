/**
 * The desktop app's main process, composed: the workspace and application services (jobs in
 * Electron utility processes, watched folders here in main), the contract over IPC, events to
 * every window, the renderer and audio protocols, the native pickers, the menu, one instance.
 * Everything Electron-specific stays in src/main; the services are the same as web mode's.
 */
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  utilityProcess,
  type IpcMainInvokeEvent,
} from 'electron';
import { AppService } from '../app/services/app-service.ts';
import { utilityProcessLauncher } from '../app/jobs/utility-process-launcher.ts';
import { APP_ORIGIN, APP_SCHEME, AUDIO_SCHEME, IPC_CHANNELS, type MenuCommand } from '../shared/desktop.ts';
import { audioProtocolHandler } from './audio-protocol.ts';
import { forwardApiEvents, isTrustedSender, registerApiHandlers } from './ipc.ts';
import { aboutText, buildMenuTemplate } from './menu.ts';
import { rendererProtocolHandler } from './renderer-protocol.ts';
import {
  appUrlChecker,
  denyAllPermissions,
  devRendererUrl,
  hardenWebContents,
  SECURE_WEB_PREFERENCES,
} from './security.ts';

export interface DesktopOptions {
  /** Built renderer folder (out/renderer). */
  rendererDir: string;
  /** Built preload (out/preload/index.cjs). */
  preloadFile: string;
  /** Bundled job worker (out/main/job-worker.js), run in utility processes. */
  jobWorkerFile: string;
  env?: NodeJS.ProcessEnv;
  /** The TF.js backend the job processes get (default: load TF.js here once and ask it). */
  detectTfBackend?: () => Promise<string>;
}

export interface DesktopApp {
  service: AppService;
  workspaceDir: string;
  createWindow(): BrowserWindow;
  /** Stops the services (jobs, watchers, database); the app quits after it on before-quit. */
  shutdown(): Promise<void>;
}

/** Must run before `app` is ready: the schemes' privileges cannot be granted later. */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    {
      scheme: AUDIO_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true },
    },
  ]);
}

const AUDIO_FILTERS = [{ name: 'Recordings', extensions: ['wav', 'flac'] }];

async function defaultTfBackend(): Promise<string> {
  const { loadTf } = await import('../engine/tf.ts');
  return (await loadTf()).backend;
}

/**
 * Starts the desktop app; resolves undefined when another instance already runs (that one gets
 * focused and this one quits).
 */
export async function startDesktop(opts: DesktopOptions): Promise<DesktopApp | undefined> {
  const env = opts.env ?? process.env;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  const devUrl = devRendererUrl(env, app.isPackaged);
  const isAppUrl = appUrlChecker(devUrl);
  const openExternal = (url: string) => shell.openExternal(url);

  // Every web contents, whoever creates it, is held in the app.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, isAppUrl, openExternal));

  await app.whenReady();
  denyAllPermissions(session.defaultSession);

  const workspaceDir = env.AUSCULT_HOME ? path.resolve(env.AUSCULT_HOME) : app.getPath('userData');
  const service = AppService.open(workspaceDir, {
    launcher: utilityProcessLauncher(utilityProcess),
    workerEntry: opts.jobWorkerFile,
    tfBackend: 'loading',
  });

  protocol.handle(APP_SCHEME, rendererProtocolHandler(opts.rendererDir));
  protocol.handle(
    AUDIO_SCHEME,
    audioProtocolHandler((id, o) => service.openRecordingAudio(id, o)),
  );

  const removeHandlers = registerApiHandlers(ipcMain, service, isAppUrl);
  const stopEvents = forwardApiEvents(service, () => BrowserWindow.getAllWindows());

  const pickerWindow = (event: IpcMainInvokeEvent): BrowserWindow | null => {
    if (!isTrustedSender(event, isAppUrl)) throw new Error('native dialogs are only for the app window');
    return BrowserWindow.fromWebContents(event.sender);
  };
  ipcMain.handle(IPC_CHANNELS.pickFolder, async (event) => {
    const win = pickerWindow(event);
    const options = { title: 'Choose a folder of recordings', properties: ['openDirectory' as const] };
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
  ipcMain.handle(IPC_CHANNELS.pickFiles, async (event) => {
    const win = pickerWindow(event);
    const options = {
      title: 'Choose recordings',
      filters: AUDIO_FILTERS,
      properties: ['openFile' as const, 'multiSelections' as const],
    };
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled ? [] : r.filePaths;
  });

  function createWindow(): BrowserWindow {
    const win = new BrowserWindow({
      width: 1400,
      height: 900,
      minWidth: 900,
      minHeight: 600,
      title: 'Auscult',
      show: false,
      // No developer tools in a packaged app.
      webPreferences: { ...SECURE_WEB_PREFERENCES, preload: opts.preloadFile, devTools: !app.isPackaged },
    });
    win.once('ready-to-show', () => win.show());
    void win.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`);
    return win;
  }

  const sendCommand = (command: MenuCommand): void => {
    const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
    win?.webContents.send(IPC_CHANNELS.menu, command);
  };
  const showAbout = async (): Promise<void> => {
    const info = await service.call('app/info', {});
    const win = BrowserWindow.getFocusedWindow();
    const options = {
      type: 'info' as const,
      title: 'About Auscult',
      message: 'Auscult',
      detail: aboutText(info, process.versions),
    };
    if (win) await dialog.showMessageBox(win, options);
    else await dialog.showMessageBox(options);
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        isMac: process.platform === 'darwin',
        isPackaged: app.isPackaged,
        appName: 'Auscult',
        command: sendCommand,
        showAbout: () => void showAbout(),
      }),
    ),
  );

  // A second launch focuses the window of this one.
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0] ?? createWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let stopped: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopped ??= (async () => {
      stopEvents();
      removeHandlers();
      ipcMain.removeHandler(IPC_CHANNELS.pickFolder);
      ipcMain.removeHandler(IPC_CHANNELS.pickFiles);
      await service.close();
    })();
    return stopped;
  };
  // Jobs are stopped and the database closed before the process goes.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    void shutdown().finally(() => {
      quitting = true;
      app.quit();
    });
  });

  createWindow();
  // Watched folders run here in main; the TF.js backend is found after the window is up.
  await service.startWatching();
  void (opts.detectTfBackend ?? defaultTfBackend)()
    .then((name) => service.setTfBackend(name))
    .catch((err: Error) => service.setTfBackend(`unavailable: ${err.message}`));

  return { service, workspaceDir, createWindow, shutdown };
}
