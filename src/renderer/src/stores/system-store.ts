import { defineStore } from 'pinia';
import { ref } from 'vue';
import { client } from '../client';

export interface ServiceHealth {
  ok: boolean;
  version: string;
  tfBackend: string;
}

/** Health of the Auscult service the renderer talks to (web mode: the HTTP server; desktop: main). */
export const useSystemStore = defineStore('system', () => {
  const health = ref<ServiceHealth | null>(null);
  const error = ref<string | null>(null);

  async function refresh(): Promise<void> {
    try {
      // Through the one client (HTTP in web mode, IPC in the desktop app, where no /api exists).
      const info = await client.call('app/info', {});
      health.value = { ok: true, version: info.version, tfBackend: info.tfBackend };
      error.value = null;
      // The server reports 'loading' until TensorFlow.js has picked its backend: ask again shortly.
      if (health.value.tfBackend === 'loading') setTimeout(() => void refresh(), 1000);
    } catch (err) {
      health.value = null;
      error.value = `Cannot reach the Auscult service: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  function setUp(): void {
    void refresh();
  }

  return { health, error, refresh, setUp };
});
