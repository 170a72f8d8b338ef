import { ApiError, type ApiArgs, type ApiMethod, type ApiResult, type AuscultApi } from '../../shared/api';
import { isApiErrorShape, recordingAudioUrl, type AuscultDesktopApi, type MenuCommand } from '../../shared/desktop';
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
  /** Desktop only: native multi-file picker for recordings; empty when cancelled. */
  pickFiles?: () => Promise<string[]>;
  /** Desktop only: File › New line / Import… from the application menu; returns a disposer. */
  onMenuCommand?: (listener: (command: MenuCommand) => void) => () => void;
};

/** The desktop client: `window.auscult`, with its rejections turned back into ApiError. */
export function desktopClient(bridge: AuscultDesktopApi): RendererClient {
  return {
    async call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResult<M>> {
      try {
        return await bridge.call(method, args);
      } catch (err) {
        if (isApiErrorShape(err)) throw new ApiError(err.code, err.message, err.issues);
        throw err;
      }
    },
    on: (event, listener) => bridge.on(event, listener),
    audioUrl: recordingAudioUrl,
    pickFolder: () => bridge.pickFolder(),
    pickFiles: () => bridge.pickFiles(),
    onMenuCommand: (listener) => bridge.onMenuCommand(listener),
  };
}

/** The renderer's one handle on the API contract. */
export const client: RendererClient =
  typeof window !== 'undefined' && window.auscult ? desktopClient(window.auscult) : createHttpClient();
