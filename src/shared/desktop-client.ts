/**
 * The desktop app's client of the contract: the preload's `window.auscult` with its rejections
 * (the contract's error shape, as plain data across the context bridge) turned back into
 * ApiError, so renderer code handles errors the same way over IPC as over HTTP. Browser-safe.
 */
import { ApiError, type ApiArgs, type ApiMethod, type ApiResult, type AuscultApi } from './api.ts';
import { isApiErrorShape, recordingAudioUrl, type AuscultDesktopApi, type MenuCommand } from './desktop.ts';

export interface DesktopClient extends AuscultApi {
  audioUrl(recordingId: number): string;
  pickFolder(): Promise<string | null>;
  pickFiles(): Promise<string[]>;
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

export function createDesktopClient(bridge: AuscultDesktopApi): DesktopClient {
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
