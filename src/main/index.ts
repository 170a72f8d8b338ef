/**
 * Entry of the Electron main process (bundled to out/main/index.js). The job worker it runs in
 * utility processes is bundled beside it through `?modulePath`; everything else is in desktop.ts.
 */
import path from 'node:path';
import { app, dialog } from 'electron';
import jobWorkerFile from './job-worker.ts?modulePath';
import { registerPrivilegedSchemes, startDesktop } from './desktop.ts';

registerPrivilegedSchemes();

startDesktop({
  rendererDir: path.join(import.meta.dirname, '../renderer'),
  preloadFile: path.join(import.meta.dirname, '../preload/index.cjs'),
  jobWorkerFile,
}).catch((err: Error) => {
  dialog.showErrorBox('Auscult could not start', err.stack ?? err.message);
  app.exit(1);
});
