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
    if (!fs.existsSync(project.watchDir) || !fs.statSync(project.watchDir).isDirectory()) {
      throw new Error(`${project.watchDir}: watched folder does not exist or is not a folder`);
    }
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
      queue(abs, statMtimeMs(abs));
    });
    entry.watcher.on('unlink', (file) => entry.known.delete(path.resolve(file)));
    this.watchers.set(project.id, entry);
    await new Promise<void>((resolve) => entry.watcher.once('ready', () => resolve()));
    const stableMs = this.opts.stableMs ?? 500;
    entry.rescan = setInterval(() => {
      for (const file of listAudioFiles(entry.dir)) {
        const mtimeMs = statMtimeMs(file);
        // Seen as it is (import de-duplicates by content anyway), or still being written.
        if (entry.known.get(file) === mtimeMs || Date.now() - mtimeMs < stableMs) continue;
        queue(file, mtimeMs);
      }
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

/** Audio files below `dir` (absolute paths); an unreadable folder lists as empty. */
function listAudioFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && AUDIO_EXTENSIONS.includes(path.extname(d.name).toLowerCase()))
      .map((d) => path.resolve(d.parentPath, d.name));
  } catch {
    return [];
  }
}

function statMtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}
