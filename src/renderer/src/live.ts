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

/** Job events that change lists of jobs or models: queued or finished, not progress ticks. */
export function jobQueuedOrFinished(projectId?: () => number) {
  return (event: ApiEventName, payload: unknown): boolean => {
    const p = payload as { status?: string; projectId?: number | null };
    if (event !== 'job') return true;
    if (projectId && p.projectId !== projectId()) return false;
    return p.status !== 'running';
  };
}

/**
 * Events that can change what a screen of one line shows: a scoring job of the line finished
 * (scores, alarms, fits changed — not every progress tick, not other lines' jobs), or an alarm of
 * the line (of one machine when `machineId` is given).
 */
export function affectsLine(projectId: () => number | undefined, machineId?: () => number | undefined) {
  return (event: ApiEventName, payload: unknown): boolean => {
    const p = payload as { status?: string; kind?: string; projectId?: number | null; machineId?: number };
    if (p.projectId !== projectId()) return false;
    if (event === 'job') return p.kind === 'score' && p.status !== 'queued' && p.status !== 'running';
    return machineId === undefined || p.machineId === machineId();
  };
}
