import {
  API_EVENTS,
  ApiError,
  isApiMethod,
  parseApiArgs,
  type ApiEventName,
  type ApiEvents,
  type ApiMethod,
  type ApiResult,
} from '../../shared/api.ts';
import type { Project } from '../../shared/domain.ts';
import { AppContext, type AppServiceOptions, type Handlers } from '../app-context.ts';
import { toApiError } from '../errors.ts';
import { createHandlers } from '../handlers/index.ts';
import { importRules } from '../handlers/imports.ts';
import { registerInternals } from '../internals.ts';
import { Workspace } from '../workspace.ts';
import { afterJob } from './after-job.ts';
import { assertInsideRoots } from './file-safety.ts';
import { openRecordingAudio, type RecordingAudio } from './recording-audio.ts';
import { WatchedFolders } from './watch.ts';

export type { AppServiceOptions } from '../app-context.ts';

/**
 * The application behind the API contract: every adapter (HTTP, IPC, CLI) calls
 * `call(method, args, actor)` and listens with `on(event)`. It owns the workspace, the job queue
 * and the watched folders; none of them is reachable from outside the application layer.
 */
export class AppService {
  readonly #ctx: AppContext;
  readonly #handlers: Handlers;

  private constructor(ws: Workspace, opts: AppServiceOptions) {
    this.#ctx = new AppContext(ws, opts, afterJob);
    if (opts.watch !== false) {
      this.#ctx.watched = new WatchedFolders({
        usePolling: opts.watchPolling,
        onFiles: (project, files) => this.#importWatched(project, files),
      });
    }
    this.#handlers = createHandlers(this.#ctx);
    registerInternals(this, this.#ctx);
    this.#ctx.jobs.pump();
  }

  /** Opens the workspace in `dir` (default `AUSCULT_HOME` or the user-data folder). */
  static open(dir?: string, opts: AppServiceOptions = {}): AppService {
    return new AppService(Workspace.open(dir), opts);
  }

  /** Records the TF.js backend the job processes use (found after start-up; see `serve`). */
  setTfBackend(name: string): void {
    this.#ctx.opts.tfBackend = name;
  }

  /** Starts watching every project's folder. Errors (a folder gone) are logged in the audit log. */
  async startWatching(): Promise<void> {
    const { ws, watched } = this.#ctx;
    if (!watched) return;
    for (const p of ws.projects.list()) {
      if (!p.watchDir) continue;
      try {
        // A folder set up under other rules (before --import-root) is not watched now.
        assertInsideRoots(p.watchDir, this.#ctx.opts.importRoots);
        await watched.sync(p);
      } catch (err) {
        this.#ctx.audit('system', 'watch-failed', 'project', p.id, { error: (err as Error).message });
      }
    }
  }

  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    if (!API_EVENTS.includes(event)) throw new Error(`unknown event ${event}`);
    const { events } = this.#ctx;
    events.on(event, listener as (p: unknown) => void);
    return () => events.off(event, listener as (p: unknown) => void);
  }

  /** Validates `rawArgs` and runs `method`; every failure is an ApiError with a code. */
  async call<M extends ApiMethod>(method: M, rawArgs: unknown, actor = 'api'): Promise<ApiResult<M>> {
    if (!isApiMethod(method)) throw new ApiError('not_found', `unknown API method "${String(method)}"`);
    const args = parseApiArgs(method, rawArgs);
    try {
      const handler = this.#handlers[method] as (a: unknown, actor: string) => Promise<ApiResult<M>>;
      return await handler(args, actor);
    } catch (err) {
      throw toApiError(err);
    }
  }

  /**
   * The audio of a recording for a player (web mode's audio route, Electron's `auscult-audio://`
   * protocol): only the imported bytes, with Range support; a file that is missing or no longer
   * the imported one is a RecordingAudioError (404/409/410/416). See recording-audio.ts.
   */
  openRecordingAudio(recordingId: number, opts: { range?: string } = {}): Promise<RecordingAudio> {
    return openRecordingAudio(this.#ctx.ws, recordingId, opts);
  }

  async close(): Promise<void> {
    await this.#ctx.watched?.close();
    await this.#ctx.jobs.close();
    this.#ctx.ws.close();
  }

  #importWatched(project: Project, files: string[]): void {
    const p = this.#ctx.ws.projects.get(project.id);
    if (!p?.watchDir) return;
    this.#ctx.jobs.enqueue(
      'import',
      {
        projectId: p.id,
        sources: files,
        role: 'monitor',
        copy: p.watchCopy,
        source: 'watch',
        ...importRules(this.#ctx.opts),
      },
      p.id,
    );
  }
}
