/**
 * How an import reads a file it was pointed at. Imports read folders people (or a watched folder)
 * point at, so every file is treated as hostile: it is checked against the import roots before it
 * is touched, `lstat`ed before it is opened (named pipes, devices, sockets and folders are refused
 * without a read: a FIFO would block forever, /dev/zero never ends), its size is capped before a
 * byte is read, and it is opened without following a link swapped in after the checks. Error
 * texts name the file and the problem, never its content.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatBytes, MAX_FILE_BYTES } from '../../engine/audio/decode.ts';
import { AUDIO_EXTENSIONS } from './import-plan.ts';

export interface ImportFileRules {
  /** Largest file read, bytes (default and most: 2 GiB − 1). */
  maxFileBytes?: number;
  /** Folders files must lie in, symbolic links resolved; undefined: anywhere (the local user). */
  importRoots?: string[];
  /** Follow a symbolic link named as the file (explicit imports); watched folders do not. */
  followSymlinks?: boolean;
}

function realOrResolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

const isInside = (p: string, root: string): boolean =>
  p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * Throws unless `p` lies inside one of `roots`, by its resolved path and — where it exists — by
 * its real path (symbolic links resolved), so a link inside a root to a folder outside is refused.
 * `roots` null or undefined allows anything.
 */
export function assertInsideRoots(p: string, roots: readonly string[] | null | undefined): void {
  if (roots === undefined || roots === null) return;
  const realRoots = roots.map(realOrResolved);
  const outside = () =>
    new Error(
      roots.length
        ? `${p}: outside the folders this server may import from (${roots.join(', ')})`
        : `${p}: importing is off on this server (start it with --import-root <dir>)`,
    );
  const abs = path.resolve(p);
  // Lexically first: a path outside every root is refused before the file system is asked
  // anything about it (no existence or size leaks).
  if (
    !roots.map((r) => path.resolve(r)).some((r) => isInside(abs, r)) &&
    !realRoots.some((r) => isInside(abs, r))
  )
    throw outside();
  if (!realRoots.some((r) => isInside(realOrResolved(abs), r))) throw outside();
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

const errno = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/**
 * The bytes of the audio file `filePath` for an import, after the checks above. Every refusal is
 * an Error whose message starts with the path and says why.
 */
export async function readImportFile(filePath: string, rules: ImportFileRules = {}): Promise<Buffer> {
  const abs = path.resolve(filePath);
  const fail = (problem: string): never => {
    throw new Error(`${abs}: ${problem}`);
  };
  assertInsideRoots(abs, rules.importRoots);
  const ext = path.extname(abs).toLowerCase();
  if (!AUDIO_EXTENSIONS.includes(ext))
    fail(
      `${ext ? `the extension ${ext} is not` : 'no extension:'} an audio file's; only ${AUDIO_EXTENSIONS.join(' and ')} files are imported`,
    );
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(abs);
    if (st.isSymbolicLink()) {
      if (!rules.followSymlinks) fail('is a symbolic link; links in watched folders are not followed');
      st = await fs.promises.stat(abs);
    }
  } catch (err) {
    if (err instanceof Error && err.message.startsWith(abs)) throw err;
    return fail(errno(err) === 'ENOENT' ? 'no such file' : `cannot read the file (${errno(err)})`);
  }
  if (!st.isFile()) fail(`is ${kindOf(st)}, not an audio file; not read`);
  const maxBytes = Math.min(rules.maxFileBytes ?? MAX_FILE_BYTES, MAX_FILE_BYTES);
  if (st.size > maxBytes)
    fail(`the file is ${formatBytes(st.size)}; files over ${formatBytes(maxBytes)} are not imported`);
  const real = await fs.promises
    .realpath(abs)
    .catch((err: unknown) => fail(`cannot resolve the path (${errno(err)})`));
  let fd: fs.promises.FileHandle;
  try {
    // O_NOFOLLOW: a link swapped in for the checked file is not followed; O_NONBLOCK: nor does a
    // FIFO swapped in block the open.
    fd = await fs.promises.open(
      real,
      fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
    );
  } catch (err) {
    return fail(`cannot open the file (${errno(err)})`);
  }
  try {
    const opened = await fd.stat();
    if (!opened.isFile() || opened.ino !== st.ino || opened.dev !== st.dev)
      fail('the file was replaced while it was being checked; not read');
    if (opened.size > maxBytes)
      fail(`the file is ${formatBytes(opened.size)}; files over ${formatBytes(maxBytes)} are not imported`);
    const bytes = Buffer.allocUnsafe(opened.size);
    let pos = 0;
    while (pos < bytes.length) {
      const { bytesRead } = await fd.read(bytes, pos, bytes.length - pos, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
    }
    return pos === bytes.length ? bytes : bytes.subarray(0, pos);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith(abs)) throw err;
    return fail(`cannot read the file (${errno(err)})`);
  } finally {
    await fd.close();
  }
}
