import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Job } from '../../../shared/domain';
import { client } from '../client';

/** Queued and running jobs of every line, live from `job` events (the top bar's job indicator). */
export const useJobsStore = defineStore('jobs', () => {
  const active = ref<Job[]>([]);
  const error = ref<unknown>(null);
  let off: (() => void) | undefined;

  async function load(): Promise<void> {
    try {
      active.value = await client.call('jobs/list', { status: ['queued', 'running'], limit: 50 });
      error.value = null;
    } catch (err) {
      error.value = err;
    }
  }

  function onJob(job: Job): void {
    const rest = active.value.filter((j) => j.id !== job.id);
    active.value = job.status === 'queued' || job.status === 'running' ? [...rest, job].sort((a, b) => a.id - b.id) : rest;
  }

  function setUp(): void {
    if (off) return;
    void load();
    off = client.on('job', onJob);
  }

  const running = computed(() => active.value.filter((j) => j.status === 'running'));
  return { active, running, error, load, setUp };
});
