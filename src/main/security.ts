/**
 * Electron's security checklist, applied in one place (https://www.electronjs.org/docs/latest/tutorial/security):
 * sandboxed, context-isolated renderers without Node; a strict CSP on everything the app serves;
 * no navigation away from the app and no new windows (https links open in the system browser);
 * every permission request denied; IPC answered only for the app's own frames.
 */
import type { Session, WebContents, WebPreferences } from 'electron';
import { APP_ORIGIN, AUDIO_SCHEME } from '../shared/desktop.ts';

/** Sent as a header with every file of the renderer (`auscult-app://`). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Vue's style bindings set inline styles.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  // wavesurfer fetches the recording and plays it through a media element.
  `media-src 'self' blob: ${AUDIO_SCHEME}:`,
  `connect-src 'self' ${AUDIO_SCHEME}:`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURE_WEB_PREFERENCES: WebPreferences = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
};

/**
 * The development server's URL from electron-vite (`ELECTRON_RENDERER_URL`), honoured only in an
 * unpackaged app and only on this machine; undefined otherwise.
 */
export function devRendererUrl(env: NodeJS.ProcessEnv, isPackaged: boolean): string | undefined {
  const raw = env.ELECTRON_RENDERER_URL;
  if (isPackaged || !raw) return undefined;
  try {
    const u = new URL(raw);
    const loopback = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
    return u.protocol === 'http:' && loopback ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `url` belongs to the app: the renderer's own origin (or the dev server's). */
export function appUrlChecker(devUrl?: string): (url: string) => boolean {
  // Scheme + host rather than URL.origin: outside Chromium a custom scheme's origin is "null".
  const originOf = (url: string): string => {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  };
  const origins = new Set([APP_ORIGIN, ...(devUrl ? [originOf(devUrl)] : [])]);
  return (url) => {
    try {
      return origins.has(originOf(url));
    } catch {
      return false;
    }
  };
}

/**
 * Denies leaving the app: navigation to any other origin is cancelled, new windows are refused,
 * and `https:` links go to the system browser instead. `<webview>` cannot be attached.
 */
export function hardenWebContents(
  contents: WebContents,
  isAppUrl: (url: string) => boolean,
  openExternal: (url: string) => Promise<void>,
): void {
  const openIfHttps = (url: string): void => {
    if (/^https:\/\//i.test(url)) void openExternal(url).catch(() => undefined);
  };
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    openIfHttps(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openIfHttps(url);
    return { action: 'deny' };
  });
}

/** No camera, microphone, notifications, geolocation, …: the app needs none. */
export function denyAllPermissions(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}
