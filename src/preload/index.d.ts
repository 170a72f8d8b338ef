import type { AuscultDesktopApi } from '../shared/desktop.ts';

declare global {
  interface Window {
    /** The desktop app's bridge (absent in web mode): the API contract over IPC + native pickers. */
    auscult?: AuscultDesktopApi;
  }
}

export {};
