import type { AuscultApi } from '../../shared/api';
import type { MenuCommand } from '../../shared/desktop';
import { createDesktopClient } from '../../shared/desktop-client';
import { createHttpClient } from '../../shared/http-client';

/**
 * What the renderer talks to: the API contract plus the URL of a recording's audio. In web mode
 * it is the HTTP client against the server that served the page; in Electron the preload's
 * `window.auscult` provides the same interface over IPC. The native pickers and menu commands
 * exist only in the desktop app: screens check for them (`client.pickFolder?.()`) and fall back
 * to typing a path in web mode.
 */
export type RendererClient = AuscultApi & {
  audioUrl(recordingId: number): string;
  /** Desktop only: native folder picker; null when cancelled. */
  pickFolder?: () => Promise<string | null>;
  /** Desktop only: native multi-file picker for recordings (.wav, .flac); empty when cancelled. */
  pickFiles?: () => Promise<string[]>;
  /** Desktop only: File › New line / Import… from the application menu; returns a disposer. */
  onMenuCommand?: (listener: (command: MenuCommand) => void) => () => void;
};

/** The renderer's one handle on the API contract. */
export const client: RendererClient = window.auscult
  ? createDesktopClient(window.auscult)
  : createHttpClient();
