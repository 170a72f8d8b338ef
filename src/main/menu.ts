/**
 * The application menu: the usual roles and shortcuts, File › New line / Import… (carried out by
 * the renderer, which knows the open line), View › Reload / Zoom, Help › About.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../shared/desktop.ts';

export interface MenuActions {
  isMac: boolean;
  appName: string;
  /** Packaged apps have no developer tools in the menu. */
  isPackaged: boolean;
  /** Sends a File-menu command to the focused window. */
  command(command: MenuCommand): void;
  showAbout(): void;
}

export function buildMenuTemplate(actions: MenuActions): MenuItemConstructorOptions[] {
  const { isMac, appName } = actions;
  const about: MenuItemConstructorOptions = { label: `About ${appName}`, click: () => actions.showAbout() };
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    template.push({
      label: appName,
      submenu: [
        about,
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: 'File',
      submenu: [
        { label: 'New line…', accelerator: 'CmdOrCtrl+N', click: () => actions.command('new-line') },
        { label: 'Import recordings…', accelerator: 'CmdOrCtrl+I', click: () => actions.command('import') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        ...(actions.isPackaged ? [] : [{ role: 'toggleDevTools' } as const]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: isMac ? [] : [about] },
  );
  return template;
}

/** The text of Help › About: versions and the TF.js backend the job processes use. */
export function aboutText(
  info: { version: string; workspace: string; tfBackend: string },
  versions: NodeJS.ProcessVersions,
): string {
  return [
    `Auscult ${info.version}`,
    `TensorFlow.js backend: ${info.tfBackend}`,
    `Workspace: ${info.workspace}`,
    `Electron ${versions.electron ?? '?'} · Chromium ${versions.chrome ?? '?'} · Node ${versions.node}`,
  ].join('\n');
}
