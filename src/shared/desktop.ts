/**
 * The desktop bridge between Electron's main process and the preload: channel names, the reply
 * envelope of IPC calls and what `window.auscult` offers beyond the API contract. Browser-safe
 * and free of runtime imports (the sandboxed preload bundles it and may load nothing but
 * `electron`).
 */
import type { ApiErrorCode, ApiMethod, AuscultApi } from './api.ts';

/** Scheme of recordings' audio in the desktop app: `auscult-audio://recording/<id>`. */
export const AUDIO_SCHEME = 'auscult-audio';
/** Scheme the desktop app serves the built renderer from: `auscult-app://renderer/index.html`. */
export const APP_SCHEME = 'auscult-app';
export const APP_ORIGIN = `${APP_SCHEME}://renderer`;

export function recordingAudioUrl(recordingId: number): string {
  return `${AUDIO_SCHEME}://recording/${recordingId}`;
}

/** One `ipcMain.handle` channel per contract method: `auscult:api:<method>`. */
export const API_CHANNEL_PREFIX = 'auscult:api:';
export function apiChannel(method: ApiMethod): string {
  return API_CHANNEL_PREFIX + method;
}

export const IPC_CHANNELS = {
  /** main → renderer: `(event: ApiEventName, payload)`. */
  event: 'auscult:event',
  /** main → renderer: a menu command the screens act on. */
  menu: 'auscult:menu',
  pickFolder: 'auscult:pick-folder',
  pickFiles: 'auscult:pick-files',
} as const;

/** The contract's error shape, as it crosses IPC and the context bridge. */
export interface ApiErrorShape {
  code: ApiErrorCode;
  message: string;
  issues?: { path: string; message: string }[];
}

/**
 * What an API channel answers. Electron reduces an error thrown in a handler to its message, so
 * handlers return errors as data and the preload rejects with the contract's error shape.
 */
export type IpcReply<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiErrorShape };

/** Commands of the application menu that the renderer carries out (it knows the open line). */
export type MenuCommand = 'new-line' | 'import';

/** `window.auscult`: the API contract plus the desktop's native capabilities. */
export interface AuscultDesktopApi extends AuscultApi {
  /** Native folder picker; null when cancelled. */
  pickFolder(): Promise<string | null>;
  /** Native picker for audio files (several); empty when cancelled. */
  pickFiles(): Promise<string[]>;
  /** The File menu's commands (New line, Import…); returns a disposer. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

export function isApiErrorShape(value: unknown): value is ApiErrorShape {
  const v = value as Partial<ApiErrorShape> | null;
  return typeof v === 'object' && v !== null && typeof v.code === 'string' && typeof v.message === 'string';
}
