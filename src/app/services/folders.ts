import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError, FOLDER_LISTING_LIMIT, type FolderListing } from '../../shared/api.ts';
import { AUDIO_EXTENSIONS } from './import-plan.ts';

/** A path with symlinks resolved when it exists (a link inside a root must not lead outside it). */
export function realOrResolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

/** Whether `p` lies inside one of `roots` (both with symlinks resolved); null roots: anywhere. */
export function insideRoots(p: string, roots: string[] | null): boolean {
  if (roots === null) return true;
  const real = realOrResolved(p);
  return roots.map(realOrResolved).some((root) => real === root || real.startsWith(root + path.sep));
}

/**
 * Sub-folders of `dir` for path completion in the import and watched-folder fields. `roots`: the
 * folders the caller may read (web mode's import roots); null: anywhere. Without `dir`: the roots
 * themselves, or the user's home folder when unrestricted. Hidden entries are left out; nothing
 * but names is read.
 */
export function listFolder(dir: string | undefined, roots: string[] | null): FolderListing {
  if (dir === undefined && roots !== null) {
    return {
      path: null,
      parent: null,
      folders: roots.map((r) => ({ name: r, path: path.resolve(r) })),
      audioFiles: 0,
      roots,
      truncated: false,
    };
  }
  const abs = path.resolve(dir ?? os.homedir());
  if (!insideRoots(abs, roots))
    throw new ApiError(
      'forbidden',
      `${abs} is outside the folders this server may read (${(roots ?? []).join(', ')})`,
    );
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(abs, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : `cannot read it (${code})`;
    throw new ApiError(
      code === 'ENOENT' || code === 'ENOTDIR' ? 'not_found' : 'bad_request',
      `${abs}: ${why}`,
    );
  }
  const folders: FolderListing['folders'] = [];
  let audioFiles = 0;
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(abs, e.name);
    // A symlink counts as a folder only if it resolves to one inside the roots.
    const isDir = e.isDirectory() || (e.isSymbolicLink() && safeIsDir(full) && insideRoots(full, roots));
    if (isDir) folders.push({ name: e.name, path: full });
    else if (e.isFile() && AUDIO_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) audioFiles++;
  }
  folders.sort((a, b) => a.name.localeCompare(b.name));
  const parentDir = path.dirname(abs);
  return {
    path: abs,
    parent: parentDir !== abs && insideRoots(parentDir, roots) ? parentDir : null,
    folders: folders.slice(0, FOLDER_LISTING_LIMIT),
    audioFiles,
    roots,
    truncated: folders.length > FOLDER_LISTING_LIMIT,
  };
}

function safeIsDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
