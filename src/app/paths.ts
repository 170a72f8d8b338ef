import os from 'node:os';
import path from 'node:path';

/**
 * The workspace folder: `AUSCULT_HOME` if set, else the folder Electron uses as `userData` for an
 * app named "Auscult", so the desktop app, the web mode and the CLI share one workspace.
 */
export function defaultWorkspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUSCULT_HOME) return path.resolve(env.AUSCULT_HOME);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Auscult');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Auscult');
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Auscult');
  }
}
