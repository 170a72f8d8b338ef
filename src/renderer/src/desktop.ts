/**
 * What only the desktop shell offers, when it does: native folder/file dialogs (the Electron
 * preload adds `pickFolder`/`pickFiles` to the client). Web mode has neither and uses path entry
 * with completion instead. Also turns a drop into server paths where the browser reveals them.
 */
import { client } from './client';

interface DesktopExtras {
  pickFolder?: () => Promise<string | null>;
  pickFiles?: () => Promise<string[] | null>;
  pathForFile?: (file: File) => string | null;
}
const extras = client as unknown as DesktopExtras;

export const canPickFolder = typeof extras.pickFolder === 'function';
export const canPickFiles = typeof extras.pickFiles === 'function';
export const pickFolder = (): Promise<string | null> => extras.pickFolder?.() ?? Promise.resolve(null);
export const pickFiles = (): Promise<string[] | null> => extras.pickFiles?.() ?? Promise.resolve(null);

/**
 * Paths of the folders/files dropped: `file://` URIs a file manager puts on the drag (web mode on
 * the same computer), or the desktop shell's path of each dropped file. Empty when the browser
 * does not say where the files are (then the person types the folder).
 */
export function droppedPaths(data: DataTransfer | null): string[] {
  if (!data) return [];
  const uris = (data.getData('text/uri-list') || '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('file://'));
  const fromUris = uris.flatMap((u) => {
    try {
      return [decodeURIComponent(new URL(u).pathname)];
    } catch {
      return [];
    }
  });
  if (fromUris.length) return fromUris;
  if (!extras.pathForFile) return [];
  return [...data.files].map((f) => extras.pathForFile!(f)).filter((p): p is string => !!p);
}
