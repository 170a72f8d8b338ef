/**
 * The application's internals (workspace, job queue) for the application layer itself and its
 * tests. Adapters (CLI, web server, Electron main) must not import this module (ESLint enforces
 * it): they use only the contract through `AppService.call`/`on`.
 */
import type { AppContext } from './app-context.ts';

const contexts = new WeakMap<object, AppContext>();

export function registerInternals(app: object, ctx: AppContext): void {
  contexts.set(app, ctx);
}

/** The context behind an `AppService`: `ws` (workspace) and `jobs` (job manager). */
export function appInternals(app: object): AppContext {
  const ctx = contexts.get(app);
  if (!ctx) throw new Error('not an AppService');
  return ctx;
}
