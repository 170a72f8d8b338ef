/**
 * The preload (sandboxed, bundled as CommonJS): exposes exactly the API contract as
 * `window.auscult` — `call` and `on` with disposers — plus the native file pickers and the menu's
 * commands. The renderer never sees `ipcRenderer`: every function here sends to one fixed channel.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiArgs, ApiEventName, ApiEvents, ApiMethod, ApiResult } from '../shared/api.ts';
import {
  apiChannel,
  IPC_CHANNELS,
  type AuscultDesktopApi,
  type IpcReply,
  type MenuCommand,
} from '../shared/desktop.ts';

const api: AuscultDesktopApi = {
  async call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResult<M>> {
    if (typeof method !== 'string') throw { code: 'bad_request', message: 'method must be a string' };
    const reply = (await ipcRenderer.invoke(apiChannel(method), args ?? {})) as IpcReply<ApiResult<M>>;
    // A plain object (not an Error) survives the context bridge with its code and issues.
    if (!reply.ok) throw reply.error;
    return reply.result;
  },
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: string, payload: ApiEvents[E]): void => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_CHANNELS.event, handler);
    return () => void ipcRenderer.removeListener(IPC_CHANNELS.event, handler);
  },
  pickFolder: () => ipcRenderer.invoke(IPC_CHANNELS.pickFolder) as Promise<string | null>,
  pickFiles: () => ipcRenderer.invoke(IPC_CHANNELS.pickFiles) as Promise<string[]>,
  onMenuCommand(listener: (command: MenuCommand) => void): () => void {
    const handler = (_e: IpcRendererEvent, command: MenuCommand): void => listener(command);
    ipcRenderer.on(IPC_CHANNELS.menu, handler);
    return () => void ipcRenderer.removeListener(IPC_CHANNELS.menu, handler);
  },
};

contextBridge.exposeInMainWorld('auscult', api);
