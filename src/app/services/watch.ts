import chokidar, { type FSWatcher } from 'chokidar';
import fs from 'node:fs';
import path from 'node:path';
import type { Project } from '../../shared/domain.ts';
import { AUDIO_EXTENSIONS } from './import-plan.ts';

export interface WatchedFolderOptions {
  /** Called with a batch of new audio files (absolute paths). */
  onFiles: (project: Project, files: string[]) => void;
  /** Quiet time before a batch is handed over, ms (default 1000). */
  batchMs?: number;
  /** Size must be stable this long before a file counts as written, ms (default 500). */
  stableMs?: number;
  /** Poll instead of native events (network shares; tests on loaded machines). */
  usePolling?: boolean;
  /**
   * Period of a full listing of the folder, ms (default 10,000): catches files the watcher did not
   * report (a file created while the watcher was still taking its first look at a sub-folder is
   * otherwise never seen, and network shares drop events).
   */
  rescanMs?: number;
  /** Deepest sub-folder level watched and listed (default 8). */
  maxDepth?: number;
  /** Most directory entries one periodic listing looks at (default 100,000). */
  maxEntries?: number;
}

/** Folders that are never watched: the file-system root and kernel/device pseudo-file-systems. */
const UNWATCHABLE = ['/proc', '/sys', '/dev', '/run'];

/** Throws when `dir` is not a folder one may reasonably watch for recordings. */
export function checkWatchable(dir: string): void {
  let real: string;
  try {
    real = fs.realpathSync(dir);
    if (!fs.statSync(real).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new Error(`${dir}: watched folder does not exist or is not a folder`);
  }
  if (path.parse(real).root === real)
    throw new Error(
      `${dir}: the root of a file system cannot be watched; choose the folder recordings arrive in`,
    );
  if (UNWATCHABLE.some((p) => real === p || real.startsWith(p + path.sep)))
    throw new Error(`${dir}: system folders cannot be watched; choose the folder recordings arrive in`);
}

/**
 * Watches each project's folder (recursively) for new recordings. Files present when watching
 * starts are handed over too: import de-duplicates by content, so nothing is imported twice
 * and files written while the application was closed are not missed.
 */
export class WatchedFolders {
  private readonly watchers = new Map<
    number,
    {
      dir: string;
      watcher: FSWatcher;
      pending: Set<string>;
      /** Files handed over (or queued) so far, with their modification time then. */
      known: Map<string, number>;
      timer?: NodeJS.Timeout;
      rescan?: NodeJS.Timeout;
    }
  >();

  constructor(private readonly opts: WatchedFolderOptions) {}

  /** Starts, restarts or stops watching a project's folder to match its settings. */
  async sync(project: Project): Promise<void> {
    const cur = this.watchers.get(project.id);
    if (cur && cur.dir === project.watchDir) return;
    if (cur) await this.stop(project.id);
    if (!project.watchDir) return;
    checkWatchable(project.watchDir);
    const maxDepth = this.opts.maxDepth ?? 8;
    const entry = {
      dir: project.watchDir,
      pending: new Set<string>(),
      known: new Map<string, number>(),
      timer: undefined as NodeJS.Timeout | undefined,
      rescan: undefined as NodeJS.Timeout | undefined,
      watcher: chokidar.watch(project.watchDir, {
        ignored: (p, stats) => !!stats?.isFile() && !AUDIO_EXTENSIONS.includes(path.extname(p).toLowerCase()),
        awaitWriteFinish: { stabilityThreshold: this.opts.stableMs ?? 500, pollInterval: 100 },
        usePolling: this.opts.usePolling ?? false,
        interval: 200,
        // A link in the folder to somewhere else does not bring that place into the import.
        followSymlinks: false,
        depth: maxDepth,
      }),
    };
    const queue = (file: string, mtimeMs: number) => {
      entry.known.set(file, mtimeMs);
      entry.pending.add(file);
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = setTimeout(() => {
        const files = [...entry.pending];
        entry.pending.clear();
        if (files.length) this.opts.onFiles(project, files);
      }, this.opts.batchMs ?? 1000);
    };
    entry.watcher.on('add', (file) => {
      const abs = path.resolve(file);
      const mtimeMs = statMtimeMs(abs);
      // The periodic listing may have handed it over already (both see a new file; only one may).
      if (entry.known.get(abs) === mtimeMs) return;
      queue(abs, mtimeMs);
    });
    entry.watcher.on('unlink', (file) => entry.known.delete(path.resolve(file)));
    this.watchers.set(project.id, entry);
    await new Promise<void>((resolve) => entry.watcher.once('ready', () => resolve()));
    const stableMs = this.opts.stableMs ?? 500;
    let listing = false;
    entry.rescan = setInterval(() => {
      if (listing) return; // a slow listing is not stacked up
      listing = true;
      void listAudioFiles(entry.dir, { maxDepth, maxEntries: this.opts.maxEntries ?? 100_000 })
        .then((files) => {
          if (this.watchers.get(project.id) !== entry) return;
          for (const { file, mtimeMs } of files) {
            // Seen as it is (import de-duplicates by content anyway), or still being written.
            if (entry.known.get(file) === mtimeMs || Date.now() - mtimeMs < stableMs) continue;
            queue(file, mtimeMs);
          }
        })
        .finally(() => {
          listing = false;
        });
    }, this.opts.rescanMs ?? 10_000);
    entry.rescan.unref();
  }

  async stop(projectId: number): Promise<void> {
    const w = this.watchers.get(projectId);
    if (!w) return;
    this.watchers.delete(projectId);
    if (w.timer) clearTimeout(w.timer);
    if (w.rescan) clearInterval(w.rescan);
    await w.watcher.close();
  }

  async close(): Promise<void> {
    await Promise.all([...this.watchers.keys()].map((id) => this.stop(id)));
  }
}

/**
 * Audio files below `dir` with their modification times, listed asynchronously (the file system
 * work runs on libuv's threads, not the server's event loop) and bounded: at most `maxDepth`
 * levels and `maxEntries` directory entries. Symbolic links are not followed; an unreadable
 * folder lists as empty.
 */
export async function listAudioFiles(
  dir: string,
  limits: { maxDepth: number; maxEntries: number },
): Promise<{ file: string; mtimeMs: number }[]> {
  const out: { file: string; mtimeMs: number }[] = [];
  let seen = 0;
  const walk = async (folder: string, depth: number): Promise<void> => {
    let handle: fs.Dir;
    try {
      handle = await fs.promises.opendir(folder);
    } catch {
      return;
    }
    const sub: string[] = [];
    try {
      for await (const d of handle) {
        if (++seen > limits.maxEntries) break;
        const p = path.join(folder, d.name);
        if (d.isDirectory()) {
          if (depth < limits.maxDepth) sub.push(p);
        } else if (d.isFile() && AUDIO_EXTENSIONS.includes(path.extname(d.name).toLowerCase())) {
          try {
            out.push({ file: path.resolve(p), mtimeMs: (await fs.promises.lstat(p)).mtimeMs });
          } catch {
            // Gone since it was listed.
          }
        }
      }
    } catch {
      // Unreadable part of the folder: what was listed so far counts.
    }
    for (const s of sub) if (seen <= limits.maxEntries) await walk(s, depth + 1);
  };
  await walk(dir, 0);
  return out;
}

function statMtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}
