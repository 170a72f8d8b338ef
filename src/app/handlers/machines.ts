import type { AppContext } from '../app-context.ts';
import { ConflictError } from '../errors.ts';
import { deleteWithFiles, deletionImpact, moveMachine } from '../services/line-admin.ts';
import { machineOverviews } from '../services/machine-overview.ts';
import { stopProjectJobs } from './stop-jobs.ts';
import type { DomainHandlers } from './types.ts';

/** Machines of a line: discovered by imports or created by hand. */
export function machineHandlers(app: AppContext): DomainHandlers<'machines'> {
  const { ws } = app;
  const ensureFree = (projectId: number, type: string, name: string, except?: number) => {
    const other = ws.machines.find(projectId, type, name);
    if (other && other.id !== except)
      throw new ConflictError(`this project already has a machine ${type}/${name} (machine ${other.id})`);
  };
  return {
    'machines/list': ({ projectId }) => {
      app.project(projectId);
      const status = new Map(
        machineOverviews(app, projectId, app.effectiveModelId(projectId)).map((o) => [
          o.counts.machineId,
          o.status,
        ]),
      );
      return ws.machines.list(projectId).map((m) => ({ ...m, status: status.get(m.id)! }));
    },
    'machines/create': (args, actor) => {
      app.project(args.projectId);
      ensureFree(args.projectId, args.type, args.name);
      const m = ws.machines.create(args);
      app.audit(actor, 'create', 'machine', m.id, { type: m.type, name: m.name });
      return m;
    },
    'machines/update': ({ machineId, ...patch }, actor) => {
      const before = app.machine(machineId);
      ensureFree(before.projectId, patch.type ?? before.type, patch.name ?? before.name, machineId);
      const m = ws.machines.update(machineId, patch);
      app.audit(actor, 'update', 'machine', machineId, patch);
      return m;
    },
    'machines/delete': async ({ machineId }, actor) => {
      const machine = app.machine(machineId);
      // The project's jobs (imports, scoring, training) read and write the machine's rows.
      await stopProjectJobs(app, machine.projectId);
      const removed = deleteWithFiles(ws, { projectId: machine.projectId, machineId });
      app.audit(actor, 'delete', 'machine', machineId, {
        type: machine.type,
        name: machine.name,
        ...removed,
      });
      return { deleted: true };
    },
    'machines/deletionImpact': ({ machineId }) => {
      const machine = app.machine(machineId);
      return deletionImpact(ws, { projectId: machine.projectId, machineId });
    },
    'machines/move': ({ machineId, projectId }, actor) => {
      const machine = app.machine(machineId);
      app.project(projectId);
      const moved = moveMachine(ws, machine, projectId);
      app.audit(actor, 'move', 'machine', machineId, { from: machine.projectId, to: projectId });
      // The recordings are new to this line: its model scores them.
      if (moved.projectId !== machine.projectId) app.enqueueScoring(projectId);
      return moved;
    },
  };
}
