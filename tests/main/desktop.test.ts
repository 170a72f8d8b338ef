import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

vi.mock('electron', () => import('./fake-electron.ts'));

import * as electron from './fake-electron.ts';
import { registerPrivilegedSchemes, startDesktop, type DesktopApp } from '../../src/main/desktop.ts';
import { API_METHODS, ApiError, type ApiMethod } from '../../src/shared/api.ts';
import {
  APP_ORIGIN,
  apiChannel,
  IPC_CHANNELS,
  type AuscultDesktopApi,
  type IpcReply,
} from '../../src/shared/desktop.ts';
import { createDesktopClient } from '../../src/shared/desktop-client.ts';
import { FeatureCache } from '../../src/engine/features/cache.ts';
import { extractionWorkerUrl, useBundledExtractionWorker } from '../../src/engine/features/extract-pool.ts';
import { batchWorkerUrl, openBatchSource, useBundledBatchWorker } from '../../src/engine/model/batch-pipeline.ts';
import { inlineBatchSource, type BatchSource } from '../../src/engine/model/batch-source.ts';
import { cachedRecordingsTrainingSet } from '../../src/engine/model/training-set.ts';
import { classBalancedWeights } from '../../src/engine/model/trainer.ts';
import { tempDir, writeToneWav } from '../app/helpers/workspace.ts';
import { buildApp } from './built-app.ts';
import { appInternals } from '../../src/app/internals.ts';

const { app, BrowserWindow, dialog, ipcMain, loadPreload, Menu, protocol, session, shell, utilityProcess } =
  electron;

let build: ReturnType<typeof buildApp>;
let t: ReturnType<typeof tempDir>;
let desktop: DesktopApp;
let win: InstanceType<typeof BrowserWindow>;

const call = (method: ApiMethod, args: unknown, sender = win.webContents) =>
  ipcMain.invoke(apiChannel(method), sender, args) as Promise<IpcReply>;

async function ok<T>(method: ApiMethod, args: unknown): Promise<T> {
  const reply = await call(method, args);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`);
  return reply.result as T;
}

beforeAll(async () => {
  build = buildApp();
  t = tempDir('auscult-desktop-');
  registerPrivilegedSchemes();
  const started = await startDesktop({
    rendererDir: path.join(build.outDir, 'renderer'),
    preloadFile: path.join(build.outDir, 'preload', 'index.cjs'),
    jobWorkerFile: path.join(build.outDir, 'main', 'job-worker.js'),
    env: { AUSCULT_HOME: path.join(t.dir, 'ws') },
    detectTfBackend: async () => 'cpu',
  });
  desktop = started!;
  win = BrowserWindow.getAllWindows()[0]!;
}, 300_000); // a full electron-vite build, on a loaded machine

afterAll(async () => {
  await desktop?.shutdown();
  build?.cleanup();
  t?.cleanup();
});

describe('desktop main process (fake electron)', () => {
  it('opens the workspace from AUSCULT_HOME and one sandboxed, isolated window on the app protocol', () => {
    expect(desktop.workspaceDir).toBe(path.join(t.dir, 'ws'));
    expect(fs.existsSync(path.join(t.dir, 'ws'))).toBe(true);
    expect(BrowserWindow.getAllWindows()).toHaveLength(1);
    const prefs = win.options.webPreferences!;
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(prefs.preload).toBe(path.join(build.outDir, 'preload', 'index.cjs'));
    expect(prefs.devTools).toBe(true); // unpackaged; false in a packaged app
    expect(win.url).toBe(`${APP_ORIGIN}/index.html`);
    const audio = protocol.privileged.find((p) => p.scheme === 'auscult-audio');
    expect(audio?.privileges).toMatchObject({
      standard: true,
      secure: true,
      stream: true,
      supportFetchAPI: true,
    });
  });

  it('registers one IPC handler per contract method, and nothing answers for unknown ones', () => {
    for (const method of Object.keys(API_METHODS) as ApiMethod[])
      expect(ipcMain.handlers.has(apiChannel(method)), method).toBe(true);
    const apiChannels = [...ipcMain.handlers.keys()].filter((c) => c.startsWith('auscult:api:'));
    expect(apiChannels).toHaveLength(Object.keys(API_METHODS).length);
    expect(ipcMain.handlers.has(IPC_CHANNELS.pickFolder)).toBe(true);
  });

  it('serves the contract over IPC with the real services', async () => {
    const info = await ok<{ workspace: string; tfBackend: string }>('app/info', {});
    expect(info.workspace).toBe(path.join(t.dir, 'ws'));
    expect(info.tfBackend).toBe('cpu');
    const project = await ok<{ id: number; name: string }>('projects/create', { name: 'Press line 3' });
    const list = await ok<{ id: number }[]>('projects/list', {});
    expect(list.map((p) => p.id)).toContain(project.id);
  });

  it("answers bad arguments with the contract's bad_request, listing each problem", async () => {
    const reply = await call('projects/create', { name: '', colour: 'red' });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('bad_request');
    expect(reply.error.issues?.map((i) => i.path).sort()).toEqual(['(arguments)', 'name']);
    const notObject = await call('projects/get', 'DROP TABLE');
    expect(notObject).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const missing = await call('projects/get', { projectId: 999_999 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('refuses IPC from frames that are not the app (foreign page, iframe)', async () => {
    const foreign = new electron.FakeWebContents();
    foreign.mainFrame.url = 'https://evil.example/';
    await expect(call('projects/list', {}, foreign)).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const iframe = await ipcMain.handlers.get(apiChannel('projects/list'))!(
      { sender: win.webContents, senderFrame: { url: `${APP_ORIGIN}/index.html` } },
      {},
    );
    expect(iframe).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await expect(ipcMain.invoke(IPC_CHANNELS.pickFolder, foreign)).rejects.toThrow(/only for the app window/);
  });

  it('runs jobs in utility processes from the bundled worker and sends their events to every window', async () => {
    const second = desktop.createWindow() as unknown as InstanceType<typeof BrowserWindow>;
    const src = path.join(t.dir, 'in');
    for (let i = 0; i < 3; i++) writeToneWav(path.join(src, 'fan_id_00', `normal_${i}.wav`), { seed: i + 1 });
    const project = await ok<{ id: number }>('projects/create', { name: 'Fan line' });
    const job = await ok<{ id: number }>('recordings/import', { projectId: project.id, sources: [src] });
    const done = await appInternals(desktop.service).jobs.waitFor(job.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.result).toMatchObject({ imported: 3 });
    expect(utilityProcess.forked).toContain(path.join(build.outDir, 'main', 'job-worker.js'));
    for (const w of [win, second]) {
      const jobEvents = w.webContents.sent.filter(
        (m) => m.channel === IPC_CHANNELS.event && m.args[0] === 'job',
      );
      const statuses = jobEvents
        .filter((m) => (m.args[1] as { id: number }).id === job.id)
        .map((m) => (m.args[1] as { status: string }).status);
      expect(statuses).toContain('succeeded');
    }
    // A closed window gets nothing more.
    second.close();
    const before = second.webContents.sent.length;
    await ok('projects/update', { projectId: project.id, description: 'hall B' });
    const again = await ok<{ id: number }>('recordings/import', { projectId: project.id, sources: [src] });
    await appInternals(desktop.service).jobs.waitFor(again.id);
    expect(second.webContents.sent.length).toBe(before);
  });

  describe('auscult-audio:// protocol', () => {
    let recording: { id: number; path: string };
    beforeAll(async () => {
      const dir = path.join(t.dir, 'audio');
      writeToneWav(path.join(dir, 'pump_id_00', 'normal_0.wav'), { seed: 7 });
      writeToneWav(path.join(dir, 'pump_id_00', 'normal_1.wav'), { seed: 8 });
      const project = await ok<{ id: number }>('projects/create', { name: 'Pump line' });
      const job = await ok<{ id: number }>('recordings/import', { projectId: project.id, sources: [dir] });
      await appInternals(desktop.service).jobs.waitFor(job.id);
      const list = await ok<{ items: { id: number; path: string }[] }>('recordings/list', {
        projectId: project.id,
      });
      expect(list.items).toHaveLength(2);
      recording = list.items.find((r) => r.path.endsWith('normal_0.wav'))!;
    });

    it('serves a recording by id, whole and by Range', async () => {
      const bytes = fs.readFileSync(recording.path);
      const whole = await protocol.fetch(`auscult-audio://recording/${recording.id}`);
      expect(whole.status).toBe(200);
      expect(whole.headers.get('content-type')).toBe('audio/wav');
      expect(whole.headers.get('accept-ranges')).toBe('bytes');
      expect(whole.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

      const part = await protocol.fetch(`auscult-audio://recording/${recording.id}`, {
        headers: { Range: 'bytes=100-199' },
      });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);

      const tail = await protocol.fetch(`auscult-audio://recording/${recording.id}`, {
        headers: { Range: 'bytes=-10' },
      });
      expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);

      const outside = await protocol.fetch(`auscult-audio://recording/${recording.id}`, {
        headers: { Range: `bytes=${bytes.length}-` },
      });
      expect(outside.status).toBe(416);
      expect(outside.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    });

    it('refuses unknown ids, malformed URLs and paths', async () => {
      const unknown = await protocol.fetch('auscult-audio://recording/987654');
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/987654/);
      for (const url of [
        'auscult-audio://recording/abc',
        'auscult-audio://recording/0',
        'auscult-audio://file/etc/passwd',
        'auscult-audio://recording/1/../../etc/passwd',
      ]) {
        const res = await protocol.fetch(url);
        expect(res.status, url).toBe(400);
      }
    });

    it('refuses a file changed or removed since import', async () => {
      const bytes = fs.readFileSync(recording.path);
      const changed = Buffer.from(bytes);
      changed[changed.length - 1] = changed[changed.length - 1]! ^ 0xff;
      fs.writeFileSync(recording.path, changed);
      const res = await protocol.fetch(`auscult-audio://recording/${recording.id}`);
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(recording.path);
      fs.rmSync(recording.path);
      const gone = await protocol.fetch(`auscult-audio://recording/${recording.id}`);
      expect(gone.status).toBe(410);
      expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('not_found');
    });
  });

  describe('auscult-app:// renderer protocol', () => {
    it('serves the built renderer with a strict CSP, client routes as index.html', async () => {
      const index = await protocol.fetch(`${APP_ORIGIN}/index.html`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/text\/html/);
      const csp = index.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-eval/);
      expect(await index.text()).toContain('<div id="app">');
      const route = await protocol.fetch(`${APP_ORIGIN}/lines/3`);
      expect(await route.text()).toContain('<div id="app">');
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(
        await (await protocol.fetch(`${APP_ORIGIN}/`)).text(),
      )![1]!;
      const js = await protocol.fetch(`${APP_ORIGIN}/${script}`);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
    });

    it('never reads outside the renderer folder', async () => {
      for (const p of ['/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/assets/missing.js']) {
        const res = await protocol.fetch(`${APP_ORIGIN}${p}`);
        expect(res.status, p).toBe(404);
      }
      expect((await protocol.fetch(`${APP_ORIGIN}/index.html`, { method: 'POST', body: 'x' })).status).toBe(
        405,
      );
    });
  });

  describe('security', () => {
    it('denies navigation away from the app; https links go to the system browser', () => {
      shell.opened.length = 0;
      const wc = win.webContents;
      expect(wc.emitCancellable('will-navigate', 'https://example.com/manual')).toBe(true);
      expect(wc.emitCancellable('will-navigate', 'file:///etc/passwd')).toBe(true);
      expect(wc.emitCancellable('will-navigate', 'http://plant.local/')).toBe(true);
      expect(wc.emitCancellable('will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false);
      expect(wc.emitCancellable('will-redirect', 'https://example.com/')).toBe(true);
      expect(wc.emitCancellable('will-attach-webview')).toBe(true);
      expect(shell.opened).toEqual(['https://example.com/manual']);
    });

    it('refuses every new window, opening only https links externally', () => {
      shell.opened.length = 0;
      const open = win.webContents.windowOpenHandler!;
      for (const url of [
        'https://example.com/docs',
        'http://example.com/',
        'javascript:alert(1)',
        'file:///etc/passwd',
        `${APP_ORIGIN}/index.html`,
      ])
        expect(open({ url }), url).toEqual({ action: 'deny' });
      expect(shell.opened).toEqual(['https://example.com/docs']);
    });

    it('denies every permission request and check', () => {
      const s = session.defaultSession;
      for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
        let granted: boolean | undefined;
        s.permissionRequestHandler!({}, perm, (ok) => (granted = ok));
        expect(granted, perm).toBe(false);
        expect(s.permissionCheckHandler!({}, perm)).toBe(false);
      }
    });
  });

  describe('native pickers, menu, instances', () => {
    it('picks folders and files through native dialogs', async () => {
      dialog.openResults.push(
        { canceled: false, filePaths: ['/data/line3'] },
        { canceled: true, filePaths: [] },
      );
      await expect(ipcMain.invoke(IPC_CHANNELS.pickFolder, win.webContents)).resolves.toBe('/data/line3');
      await expect(ipcMain.invoke(IPC_CHANNELS.pickFolder, win.webContents)).resolves.toBeNull();
      dialog.openResults.push({ canceled: false, filePaths: ['/a.wav', '/b.flac'] });
      await expect(ipcMain.invoke(IPC_CHANNELS.pickFiles, win.webContents)).resolves.toEqual([
        '/a.wav',
        '/b.flac',
      ]);
      const filesDialog = dialog.openCalls.at(-1) as {
        properties: string[];
        filters: { extensions: string[] }[];
      };
      expect(filesDialog.properties).toContain('multiSelections');
      expect(filesDialog.filters[0]!.extensions).toEqual(['wav', 'flac']);
    });

    it('has a menu with File › New line / Import… / Quit, View zoom and reload, Help › About with versions', async () => {
      type Item = {
        label?: string;
        role?: string;
        accelerator?: string;
        submenu?: Item[];
        click?: () => void;
      };
      const template = (Menu.applicationMenu as { template: Item[] }).template;
      const file = template.find((m) => m.label === 'File')!.submenu!;
      expect(file.find((i) => i.label?.startsWith('New line'))?.accelerator).toBe('CmdOrCtrl+N');
      expect(file.some((i) => i.role === 'quit' || i.role === 'close')).toBe(true);
      const view = template.find((m) => m.label === 'View')!.submenu!.map((i) => i.role);
      expect(view).toEqual(expect.arrayContaining(['reload', 'zoomIn', 'zoomOut', 'resetZoom']));

      BrowserWindow.focused = win;
      file.find((i) => i.label?.startsWith('Import'))!.click!();
      expect(win.webContents.sent.at(-1)).toEqual({ channel: IPC_CHANNELS.menu, args: ['import'] });

      const help = template.find((m) => m.role === 'help')!.submenu!;
      help.find((i) => i.label?.startsWith('About'))!.click!();
      await vi.waitFor(() => expect(dialog.messageBoxes.length).toBeGreaterThan(0));
      expect(dialog.messageBoxes.at(-1)!.detail).toMatch(/TensorFlow\.js backend: cpu/);
      expect(dialog.messageBoxes.at(-1)!.detail).toMatch(/Node \d+/);
    });

    it('a second launch focuses the first window instead of opening another', () => {
      win.minimized = true;
      const focusBefore = win.focusCount;
      const windowsBefore = BrowserWindow.getAllWindows().length;
      app.emit('second-instance');
      expect(win.focusCount).toBe(focusBefore + 1);
      expect(win.minimized).toBe(false);
      expect(BrowserWindow.getAllWindows()).toHaveLength(windowsBefore);
    });
  });
});

describe('preload (built, run as in a sandbox) and the renderer client over it', () => {
  let bridge: AuscultDesktopApi;
  beforeAll(() => {
    const { exposed, required } = loadPreload(
      path.join(build.outDir, 'preload', 'index.cjs'),
      win.webContents,
    );
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['auscult']);
    bridge = exposed.auscult as AuscultDesktopApi;
  });

  it('exposes exactly the contract plus the pickers and menu commands, never ipcRenderer', () => {
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on', 'onMenuCommand', 'pickFiles', 'pickFolder']);
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
  });

  it('calls the contract and rejects with its error shape; the client turns that back into ApiError', async () => {
    const project = await bridge.call('projects/create', { name: 'Via preload' });
    expect((await bridge.call('projects/get', { projectId: project.id })).name).toBe('Via preload');
    await expect(bridge.call('projects/get', { projectId: -1 })).rejects.toMatchObject({
      code: 'bad_request',
      issues: [{ path: 'projectId' }],
    });
    const client = createDesktopClient(bridge);
    const err = await client.call('projects/get', { projectId: 999_999 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('not_found');
    expect(client.audioUrl(42)).toBe('auscult-audio://recording/42');
    expect(typeof client.pickFolder).toBe('function');
  });

  it('delivers contract events and menu commands to listeners until disposed', async () => {
    const seen: { id: number; status: string }[] = [];
    const off = bridge.on('job', (job) => seen.push(job));
    const commands: string[] = [];
    const offMenu = bridge.onMenuCommand((c) => commands.push(c));
    const project = await bridge.call('projects/create', { name: 'Events line' });
    const job = await bridge.call('recordings/import', {
      projectId: project.id,
      sources: [path.join(t.dir, 'no-such-folder')],
    });
    // Nothing to import: the job fails, and says so — in its events too.
    const done = await appInternals(desktop.service).jobs.waitFor(job.id);
    expect(done.status).toBe('failed');
    const events = seen.filter((j) => j.id === job.id);
    expect(events.map((j) => j.status)).toEqual(expect.arrayContaining(['running', 'failed']));
    expect(events.at(-1)).toMatchObject({ status: 'failed', error: done.error });
    off();
    const count = seen.length;
    const again = await bridge.call('recordings/import', {
      projectId: project.id,
      sources: [path.join(t.dir, 'no-such-folder')],
    });
    await appInternals(desktop.service).jobs.waitFor(again.id);
    expect(seen.length).toBe(count);
    win.webContents.send(IPC_CHANNELS.menu, 'new-line');
    offMenu();
    win.webContents.send(IPC_CHANNELS.menu, 'import');
    expect(commands).toEqual(['new-line']);
  });
});

describe('bundled feature-extraction worker', () => {
  afterAll(() => useBundledExtractionWorker(undefined));

  it('runs from out/main/extract-worker.js in worker threads, with the same features as inline extraction', async () => {
    const files = [0, 1, 2].map((i) => {
      const f = path.join(t.dir, 'extract', `normal_${i}.wav`);
      writeToneWav(f, { seed: 40 + i, durationS: 3 });
      return f;
    });
    const bundled = path.join(build.outDir, 'main', 'extract-worker.js');
    useBundledExtractionWorker(bundled);
    expect(extractionWorkerUrl()?.href).toBe(pathToFileURL(bundled).href);
    const viaWorkers = new FeatureCache(path.join(t.dir, 'cache-workers'));
    const outcomes = await viaWorkers.extractFiles(files, { threads: 2 });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const inline = new FeatureCache(path.join(t.dir, 'cache-inline'));
    for (const o of outcomes) {
      if (!o.ok) continue;
      const ref = await inline.ensureFile(o.file);
      expect(o.recording.windowCount).toBe(ref.windowCount);
      expect(Array.from(viaWorkers.readWindow(o.recording.key, 0))).toEqual(
        Array.from(inline.readWindow(ref.key, 0)),
      );
    }
  });
});

describe('bundled training-batch worker', () => {
  afterAll(() => useBundledBatchWorker(undefined));

  it('runs from out/main/batch-worker.js and makes the batches the trainer’s thread makes', async () => {
    const cache = new FeatureCache(path.join(t.dir, 'cache-batches'));
    const recordings = [];
    for (let i = 0; i < 4; i++) {
      const f = path.join(t.dir, 'batches', `normal_${i}.wav`);
      writeToneWav(f, { seed: 60 + i, durationS: 2 });
      recordings.push(await cache.ensureFile(f));
    }
    const { set } = cachedRecordingsTrainingSet(cache, recordings, [0, 1, 0, 1], 2);
    const bundled = path.join(build.outDir, 'main', 'batch-worker.js');
    useBundledBatchWorker(bundled);
    expect(batchWorkerUrl()?.href).toBe(pathToFileURL(bundled).href);
    const plan = { seed: 1, batchSize: 2, mixup: true, classWeights: classBalancedWeights(set), stepsPerEpoch: 2, startEpoch: 0, epochs: 2 };
    const take = async (source: BatchSource) => {
      const out: number[][] = [];
      for (let i = 0; i < 4; i++) out.push(Array.from((await source.next()).x));
      await source.close();
      return out;
    };
    const viaWorker = openBatchSource(set, plan);
    expect(viaWorker.inWorker).toBe(true);
    expect(await take(viaWorker)).toEqual(await take(inlineBatchSource(set, plan)));
  });
});
