import { onUnmounted } from 'vue';
import type { ApiEventName } from '../../shared/api';
import { client } from './client';

/**
 * Keeps a screen live: calls `reload` after contract events (bursts coalesced into one call,
 * `delayMs` after the last event) for as long as the component is mounted. No polling.
 */
export function useLiveReload(events: ApiEventName[], reload: () => unknown, delayMs = 250): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), delayMs);
  };
  const offs = events.map((e) => client.on(e, schedule));
  onUnmounted(() => {
    clearTimeout(timer);
    for (const off of offs) off();
  });
}
