import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Machine, Project, Recording } from '../../../shared/domain';

/**
 * Where the user is (line → machine → clip): the open screen sets what it shows, the top bar
 * draws the breadcrumbs and the line's navigation from it.
 */
export const useContextStore = defineStore('context', () => {
  const project = ref<Pick<Project, 'id' | 'name'> | null>(null);
  const machine = ref<Pick<Machine, 'id' | 'type' | 'name'> | null>(null);
  const recording = ref<Pick<Recording, 'id' | 'fileName'> | null>(null);

  function set(ctx: {
    project?: Pick<Project, 'id' | 'name'> | null;
    machine?: Pick<Machine, 'id' | 'type' | 'name'> | null;
    recording?: Pick<Recording, 'id' | 'fileName'> | null;
  }): void {
    project.value = ctx.project ?? null;
    machine.value = ctx.machine ?? null;
    recording.value = ctx.recording ?? null;
  }

  return { project, machine, recording, set };
});
