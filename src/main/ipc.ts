/**
 * The API contract over IPC: one `ipcMain.handle` per method of `API_METHODS` (a loop, so methods
 * added to the contract are served without touching this file). Each handler checks the sender,
 * validates the arguments with the contract's zod schema and answers an `IpcReply` — the result,
 * or the contract's error shape.
 */
import type { IpcMainInvokeEvent } from 'electron';
import {
  API_EVENTS,
  API_METHODS,
  ApiError,
  parseApiArgs,
  type ApiEventName,
  type ApiEvents,
  type ApiMethod,
  type ApiResult,
} from '../shared/api.ts';
import { apiChannel, IPC_CHANNELS, type IpcReply } from '../shared/desktop.ts';

/** The part of the application services IPC needs. */
export interface ApiService {
  call<M extends ApiMethod>(method: M, rawArgs: unknown, actor?: string): Promise<ApiResult<M>>;
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Whether an IPC message comes from the app's own top frame (not an iframe, not a foreign page). */
export function isTrustedSender(event: IpcMainInvokeEvent, isAppUrl: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  return !!frame && frame === event.sender.mainFrame && isAppUrl(frame.url);
}

function toErrorShape(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError('internal', err instanceof Error ? err.message : String(err));
}

/** Registers every contract method; returns a function that removes them again. */
export function registerApiHandlers(
  ipcMain: IpcMainLike,
  service: ApiService,
  isAppUrl: (url: string) => boolean,
): () => void {
  const methods = Object.keys(API_METHODS) as ApiMethod[];
  for (const method of methods) {
    ipcMain.handle(apiChannel(method), async (event, rawArgs): Promise<IpcReply> => {
      try {
        if (!isTrustedSender(event, isAppUrl))
          throw new ApiError(
            'forbidden',
            `${method}: IPC from ${event.senderFrame?.url ?? 'an unknown frame'} refused`,
          );
        const args = parseApiArgs(method, rawArgs);
        return { ok: true, result: await service.call(method, args, 'desktop') };
      } catch (err) {
        return { ok: false, error: toErrorShape(err).toJSON() };
      }
    });
  }
  return () => methods.forEach((m) => ipcMain.removeHandler(apiChannel(m)));
}

export interface EventTarget {
  isDestroyed(): boolean;
  webContents: { isDestroyed(): boolean; send(channel: string, ...args: unknown[]): void };
}

/** Forwards every contract event (jobs, alarms) to every open window; returns the disposer. */
export function forwardApiEvents(service: ApiService, windows: () => EventTarget[]): () => void {
  const offs = API_EVENTS.map((event) =>
    service.on(event, (payload) => {
      for (const win of windows()) {
        if (!win.isDestroyed() && !win.webContents.isDestroyed())
          win.webContents.send(IPC_CHANNELS.event, event, payload);
      }
    }),
  );
  return () => offs.forEach((off) => off());
}
