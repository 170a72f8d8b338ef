import fs from 'node:fs';
import { ApiError, type DeletionImpact } from '../../shared/api.ts';
import type { Machine } from '../../shared/domain.ts';
import { LineAdminQueries, type LineScope } from '../db/repos/line-admin.ts';
import type { Workspace } from '../workspace.ts';

/**
 * Administration of lines and machines that touches more than one table: what a deletion removes
 * (shown before the person confirms), removing the workspace's own files with it, and moving a
 * machine to another line.
 */

/** Counts of everything deleting the line (or only the machine) removes. */
export function deletionImpact(ws: Workspace, scope: LineScope): DeletionImpact {
  const q = new LineAdminQueries(ws.db);
  const c = q.counts(scope);
  const wholeLine = scope.machineId === undefined;
  return {
    machines: wholeLine ? ws.machines.list(scope.projectId).length : 1,
    recordings: c.recordings,
    copiedRecordings: c.copied,
    copiedBytes: q.copiedFilesOnlyHere(scope).reduce((sum, p) => sum + fileSize(p), 0),
    referencedRecordings: c.recordings - c.copied,
    // A machine's deletion keeps the line's models (they lose this machine's back-end only).
    models: wholeLine ? ws.models.list(scope.projectId).length : 0,
    scores: c.scores,
    alarms: c.alarms,
    activeJobs: ws.jobs.list({ projectId: scope.projectId, status: ['queued', 'running'] }).length,
  };
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

/**
 * Deletes the line or machine rows (cascading to recordings, scores, alarms, models) and then the
 * workspace's own files they used: copied audio no other recording uses and model folders.
 * Referenced source files are never touched. Returns what was removed.
 */
export function deleteWithFiles(ws: Workspace, scope: LineScope): DeletionImpact {
  const impact = deletionImpact(ws, scope);
  const copied = new LineAdminQueries(ws.db).copiedFilesOnlyHere(scope);
  const modelDirs =
    scope.machineId === undefined
      ? ws.models.list(scope.projectId).flatMap((m) => (m.dir ? [m.dir] : []))
      : [];
  ws.transaction(() => {
    if (scope.machineId === undefined) ws.projects.delete(scope.projectId);
    else ws.machines.delete(scope.machineId);
  });
  // After the commit: a crash in between leaves unused files, never rows pointing at nothing.
  for (const p of copied) fs.rmSync(p, { force: true });
  for (const d of modelDirs) fs.rmSync(d, { recursive: true, force: true });
  return impact;
}

/**
 * Moves a machine and its recordings to another line. Scores, thresholds, back-end fits and alarms
 * belong to the old line's models, so they are removed; the new line scores the recordings anew.
 */
export function moveMachine(ws: Workspace, machine: Machine, projectId: number): Machine {
  if (machine.projectId === projectId) return machine;
  const target = ws.projects.get(projectId);
  if (!target) throw new ApiError('not_found', `No project with id ${projectId}`);
  for (const p of [machine.projectId, projectId])
    if (ws.jobs.list({ projectId: p, status: ['queued', 'running'] }).length > 0)
      throw new ApiError(
        'conflict',
        `cannot move machine ${machine.type}/${machine.name} while jobs of line ${p} are queued or running`,
      );
  const clash = ws.machines.list(projectId).find((m) => m.type === machine.type && m.name === machine.name);
  if (clash)
    throw new ApiError(
      'conflict',
      `line "${target.name}" already has a machine ${machine.type}/${machine.name}: rename one of them first`,
    );
  const q = new LineAdminQueries(ws.db);
  const dup = q.contentAlreadyIn(machine.id, projectId);
  if (dup.length > 0)
    throw new ApiError(
      'conflict',
      `line "${target.name}" already has recordings with the same audio as ${dup.join(', ')}`,
    );
  ws.transaction(() => q.moveMachine(machine.id, projectId));
  return ws.machines.get(machine.id)!;
}
