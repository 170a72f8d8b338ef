import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DashboardSummary } from '../../../shared/api';
import type { Alarm, Project } from '../../../shared/domain';
import { client } from '../client';

/** Projects (factory lines), the selected one's dashboard and open alarms; live via API events. */
export const useProjectsStore = defineStore('projects', () => {
  const projects = ref<Project[]>([]);
  const selectedId = ref<number | null>(null);
  const summary = ref<DashboardSummary | null>(null);
  const openAlarms = ref<Alarm[]>([]);
  const error = ref<string | null>(null);

  function report(err: unknown): void {
    error.value = err instanceof Error ? err.message : String(err);
  }

  async function loadProjects(): Promise<void> {
    try {
      projects.value = await client.call('projects/list', {});
      if (selectedId.value === null || !projects.value.some((p) => p.id === selectedId.value)) {
        selectedId.value = projects.value[0]?.id ?? null;
      }
      await loadSelected();
    } catch (err) {
      report(err);
    }
  }

  async function loadSelected(): Promise<void> {
    const projectId = selectedId.value;
    if (projectId === null) {
      summary.value = null;
      openAlarms.value = [];
      return;
    }
    try {
      const [s, alarms] = await Promise.all([
        client.call('dashboard/summary', { projectId }),
        client.call('alarms/list', { projectId, status: ['new'] }),
      ]);
      if (projectId !== selectedId.value) return;
      summary.value = s;
      openAlarms.value = alarms;
      error.value = null;
    } catch (err) {
      report(err);
    }
  }

  async function select(projectId: number): Promise<void> {
    selectedId.value = projectId;
    await loadSelected();
  }

  let pending: ReturnType<typeof setTimeout> | undefined;
  /** Coalesces bursts of job/alarm events into one reload. */
  function reloadSoon(): void {
    clearTimeout(pending);
    pending = setTimeout(() => void loadProjects(), 300);
  }

  function setUp(): () => void {
    void loadProjects();
    const offJob = client.on('job', reloadSoon);
    const offAlarm = client.on('alarm', reloadSoon);
    return () => {
      offJob();
      offAlarm();
    };
  }

  return { projects, selectedId, summary, openAlarms, error, loadProjects, select, setUp };
});
