import type { Db } from '../database.ts';
import type { Machine, Project } from '../../../shared/domain.ts';
import { NotFoundError } from '../../errors.ts';
import { allRows, byId, nowIso } from './util.ts';

interface ProjectRow {
  id: number;
  name: string;
  description: string;
  active_model_id: number | null;
  watch_dir: string | null;
  watch_copy: number;
  created_at: string;
}
interface MachineRow {
  id: number;
  project_id: number;
  type: string;
  name: string;
  location: string;
  notes: string;
  created_at: string;
}

const toProject = (r: ProjectRow): Project => ({
  id: r.id,
  name: r.name,
  description: r.description,
  activeModelId: r.active_model_id,
  watchDir: r.watch_dir,
  watchCopy: !!r.watch_copy,
  createdAt: r.created_at,
});
const toMachine = (r: MachineRow): Machine => ({
  id: r.id,
  projectId: r.project_id,
  type: r.type,
  name: r.name,
  location: r.location,
  notes: r.notes,
  createdAt: r.created_at,
});

export class ProjectRepository {
  constructor(private readonly db: Db) {}

  create(p: { name: string; description?: string }): Project {
    const info = this.db
      .prepare('INSERT INTO project (name, description, created_at) VALUES (?, ?, ?)')
      .run(p.name, p.description ?? '', nowIso());
    return this.get(Number(info.lastInsertRowid))!;
  }
  get(id: number): Project | undefined {
    const r = this.db.prepare('SELECT * FROM project WHERE id = ?').get(id) as ProjectRow | undefined;
    return r && toProject(r);
  }
  byName(name: string): Project | undefined {
    const r = this.db.prepare('SELECT * FROM project WHERE name = ?').get(name) as ProjectRow | undefined;
    return r && toProject(r);
  }
  list(): Project[] {
    return (this.db.prepare('SELECT * FROM project ORDER BY id').all() as ProjectRow[]).map(toProject);
  }
  update(
    id: number,
    patch: { name?: string; description?: string; watchDir?: string | null; watchCopy?: boolean },
  ): Project {
    const cur = this.get(id);
    if (!cur) throw new NotFoundError('project', id);
    this.db
      .prepare('UPDATE project SET name = ?, description = ?, watch_dir = ?, watch_copy = ? WHERE id = ?')
      .run(
        patch.name ?? cur.name,
        patch.description ?? cur.description,
        patch.watchDir === undefined ? cur.watchDir : patch.watchDir,
        (patch.watchCopy ?? cur.watchCopy) ? 1 : 0,
        id,
      );
    return this.get(id)!;
  }
  setActiveModel(id: number, modelId: number | null): void {
    this.db.prepare('UPDATE project SET active_model_id = ? WHERE id = ?').run(modelId, id);
  }
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM project WHERE id = ?').run(id).changes > 0;
  }
}

export class MachineRepository {
  constructor(private readonly db: Db) {}

  create(m: { projectId: number; type: string; name: string; location?: string; notes?: string }): Machine {
    const info = this.db
      .prepare(
        'INSERT INTO machine (project_id, type, name, location, notes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(m.projectId, m.type, m.name, m.location ?? '', m.notes ?? '', nowIso());
    return this.get(Number(info.lastInsertRowid))!;
  }
  /** The machine `type`/`name` of a project, created on first sight (imports discover machines). */
  ensure(projectId: number, type: string, name: string): Machine {
    return this.find(projectId, type, name) ?? this.create({ projectId, type, name });
  }
  /** The machine `type`/`name` of a project, if it exists. */
  find(projectId: number, type: string, name: string): Machine | undefined {
    const r = this.db
      .prepare('SELECT * FROM machine WHERE project_id = ? AND type = ? AND name = ?')
      .get(projectId, type, name) as MachineRow | undefined;
    return r && toMachine(r);
  }
  get(id: number): Machine | undefined {
    return byId(this.db, 'machine', id, toMachine);
  }
  list(projectId: number): Machine[] {
    return allRows(
      this.db,
      'SELECT * FROM machine WHERE project_id = ? ORDER BY type, name',
      [projectId],
      toMachine,
    );
  }
  update(id: number, patch: { type?: string; name?: string; location?: string; notes?: string }): Machine {
    const cur = this.get(id);
    if (!cur) throw new NotFoundError('machine', id);
    const next = { ...cur, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    this.db
      .prepare(
        'UPDATE machine SET type = @type, name = @name, location = @location, notes = @notes WHERE id = @id',
      )
      .run({ id, type: next.type, name: next.name, location: next.location, notes: next.notes });
    return this.get(id)!;
  }
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM machine WHERE id = ?').run(id).changes > 0;
  }
}
