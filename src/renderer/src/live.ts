import { onUnmounted } from 'vue';
import type { ApiEventName } from '../../shared/api';
import { client } from './client';

/**
 * Keeps a screen live: calls `reload` after contract events (bursts coalesced into one call,
 * `delayMs` after the last event) for as long as the component is mounted. No polling.
 */
export function useLiveReload(
  events: ApiEventName[],
  reload: () => unknown,
  delayMs = 250,
  /** Which events matter (default all): e.g. only finished jobs, not every progress tick. */
  relevant: (event: ApiEventName, payload: unknown) => boolean = () => true,
): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (event: ApiEventName, payload: unknown) => {
    if (!relevant(event, payload)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), delayMs);
  };
  const offs = events.map((e) => client.on(e, (payload) => schedule(e, payload)));
  onUnmounted(() => {
    clearTimeout(timer);
    for (const off of offs) off();
  });
}

/** Job events that can change what a screen shows: a job finished (not every progress tick). */
export function jobFinished(event: ApiEventName, payload: unknown): boolean {
  if (event !== 'job') return true;
  const status = (payload as { status?: string }).status;
  return status !== 'queued' && status !== 'running';
}
