import { watch } from 'vue';
import { client } from './client';
import { useAsync } from './async';
import { useContextStore } from './stores/context-store';

/** Loads the line a screen belongs to and puts it in the breadcrumbs (follows the route's id). */
export function useLineContext(projectId: () => number) {
  const ctx = useContextStore();
  const line = useAsync(() => client.call('projects/get', { projectId: projectId() }));
  watch(
    projectId,
    async () => {
      ctx.set({ project: ctx.project?.id === projectId() ? ctx.project : null });
      await line.reload();
      if (line.data.value) ctx.set({ project: line.data.value });
    },
    { immediate: true },
  );
  return line;
}
