/**
 * A small in-memory stand-in for the `electron` module (vi.mock('electron', …)), so the main
 * process's wiring runs under Node: it records what main registers (IPC handlers, protocols,
 * windows, menus, dialogs, permission handlers) and lets tests drive it as Electron would.
 * `utilityProcess.fork` is child_process.fork of the bundled worker (which then talks over
 * process.send instead of process.parentPort).
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import vm from 'node:vm';
import path from 'node:path';
import { forkingUtilityProcess } from '../app/helpers/fake-utility-process.ts';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
  /** What `ipcRenderer.invoke` does: runs the handler with an event from `sender`. */
  async invoke(channel: string, sender: FakeWebContents, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h)
      throw new Error(`Error invoking remote method '${channel}': No handler registered for '${channel}'`);
    return h({ sender, senderFrame: sender.mainFrame }, ...args);
  },
};

export class FakeWebContents extends EventEmitter {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  /** The renderer side: what `ipcRenderer.on` listens to. */
  readonly renderer = new EventEmitter();
  readonly mainFrame = { url: '' };
  windowOpenHandler: ((d: { url: string }) => { action: string }) | undefined;
  destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
    this.renderer.emit(channel, { sender: null }, ...args);
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Emits a cancellable event as Electron does; returns whether a listener prevented it. */
  emitCancellable(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

export class BrowserWindow extends EventEmitter {
  static windows: BrowserWindow[] = [];
  static focused: BrowserWindow | null = null;
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.windows.filter((w) => !w.destroyed);
  }
  static getFocusedWindow(): BrowserWindow | null {
    return BrowserWindow.focused;
  }
  static fromWebContents(wc: unknown): BrowserWindow | null {
    return BrowserWindow.windows.find((w) => w.webContents === wc) ?? null;
  }
  readonly webContents = new FakeWebContents();
  destroyed = false;
  minimized = false;
  focusCount = 0;
  url = '';
  constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
    super();
    BrowserWindow.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.url = url;
    this.webContents.mainFrame.url = url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  focus(): void {
    this.focusCount++;
    BrowserWindow.focused = this;
  }
  show(): void {}
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
  }
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  gotLock = true;
  quitCalls = 0;
  userData = path.join(os.tmpdir(), 'auscult-fake-userdata');
  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`fake app: no path ${name}`);
    return this.userData;
  }
  quit(): void {
    this.quitCalls++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('will-quit');
  }
  exit(): void {}
}
export const app = new FakeApp();

export const protocol = {
  privileged: [] as { scheme: string; privileges: Record<string, boolean> }[],
  handlers: new Map<string, (req: Request) => Response | Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void {
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (req: Request) => Response | Promise<Response>): void {
    this.handlers.set(scheme, handler);
  },
  /** What Chromium does for a request to a registered scheme. */
  async fetch(url: string, init?: RequestInit): Promise<Response> {
    const h = this.handlers.get(new URL(url).protocol.slice(0, -1));
    if (!h) throw new Error(`no handler for ${url}`);
    return h(new Request(url, init));
  },
};

export const dialog = {
  openResults: [] as { canceled: boolean; filePaths: string[] }[],
  openCalls: [] as unknown[],
  messageBoxes: [] as { detail?: string; message: string }[],
  async showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    this.openCalls.push(args[args.length - 1]);
    return this.openResults.shift() ?? { canceled: true, filePaths: [] };
  },
  async showMessageBox(...args: unknown[]): Promise<{ response: number }> {
    this.messageBoxes.push(args[args.length - 1] as { detail?: string; message: string });
    return { response: 0 };
  },
  showErrorBox(): void {},
};

export const Menu = {
  applicationMenu: undefined as unknown,
  buildFromTemplate: (template: unknown) => ({ template }),
  setApplicationMenu(menu: unknown): void {
    this.applicationMenu = menu;
  },
};

export const session = {
  defaultSession: {
    permissionRequestHandler: undefined as
      ((wc: unknown, perm: string, cb: (ok: boolean) => void) => void) | undefined,
    permissionCheckHandler: undefined as ((...a: unknown[]) => boolean) | undefined,
    setPermissionRequestHandler(h: (wc: unknown, perm: string, cb: (ok: boolean) => void) => void): void {
      this.permissionRequestHandler = h;
    },
    setPermissionCheckHandler(h: (...a: unknown[]) => boolean): void {
      this.permissionCheckHandler = h;
    },
  },
};

export const shell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  },
};

const forked: string[] = [];
export const utilityProcess = {
  /** Module paths forked so far. */
  forked,
  ...forkingUtilityProcess([], (modulePath) => forked.push(modulePath)),
};

/**
 * Runs a built (CommonJS) preload as a sandboxed renderer would: its `require` offers only
 * `electron` (contextBridge + ipcRenderer wired to `contents`); returns what it exposed and every
 * module it asked for.
 */
export function loadPreload(
  file: string,
  contents: FakeWebContents,
): { exposed: Record<string, unknown>; required: string[] } {
  const exposed: Record<string, unknown> = {};
  const required: string[] = [];
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => ipcMain.invoke(channel, contents, ...args),
    on: (channel: string, listener: (...a: unknown[]) => void) => contents.renderer.on(channel, listener),
    removeListener: (channel: string, listener: (...a: unknown[]) => void) =>
      contents.renderer.removeListener(channel, listener),
  };
  const contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => void (exposed[key] = api),
  };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error(`module not found: ${name} (a sandboxed preload can load only electron)`);
  };
  const module = { exports: {} };
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), {
    require: sandboxRequire,
    module,
    exports: module.exports,
    console,
  });
  return { exposed, required };
}

export default { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess };
