import type { Machine } from '../../shared/domain';
import { client } from './client';
import { useContextStore } from './stores/context-store';

/** Puts a machine (and its line) in the breadcrumbs; the line's name is fetched once per line. */
export async function setMachineContext(machine: Machine, recording?: { id: number; fileName: string }): Promise<void> {
  const ctx = useContextStore();
  const project = ctx.project?.id === machine.projectId ? ctx.project : await client.call('projects/get', { projectId: machine.projectId });
  ctx.set({ project, machine, recording: recording ?? null });
}
