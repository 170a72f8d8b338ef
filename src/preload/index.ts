import { contextBridge } from 'electron';

/** Exposes the typed API contract to the renderer; the shell's IPC wiring fills it in. */
contextBridge.exposeInMainWorld('auscultShell', { kind: 'electron' as const, versions: process.versions });
