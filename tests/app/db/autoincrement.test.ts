/** Issue 9: ids are never reused after a delete (AUTOINCREMENT), so the audit log stays unambiguous. */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import { migrate, openDatabase } from '../../../src/app/db/database.ts';
import { MIGRATIONS } from '../../../src/app/db/migrations.ts';
import { Workspace } from '../../../src/app/workspace.ts';
import { tempDir } from '../helpers/workspace.ts';

let cleanup: () => void = () => {};
afterEach(() => cleanup());

const AUTOINCREMENT_VERSION = MIGRATIONS.findIndex((m) => m.rebuild !== undefined) + 1;

describe('ids are never reused', () => {
  it('a deleted project, recording or job id is not handed out again', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const ws = Workspace.open(path.join(t.dir, 'ws'));
    const a = ws.projects.create({ name: 'a' });
    const b = ws.projects.create({ name: 'b' });
    ws.projects.delete(b.id);
    const c = ws.projects.create({ name: 'c' });
    expect(c.id).toBe(b.id + 1);
    const j1 = ws.jobs.create({ projectId: a.id, kind: 'import', params: {} });
    ws.db.prepare('DELETE FROM job WHERE id = ?').run(j1.id);
    expect(ws.jobs.create({ projectId: a.id, kind: 'import', params: {} }).id).toBe(j1.id + 1);
    ws.close();
  });

  it('the upgrade keeps every row, index and foreign key of an existing workspace', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = path.join(t.dir, 'old.db');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, AUTOINCREMENT_VERSION - 1);
    const now = '2026-01-01T00:00:00.000Z';
    db.prepare('INSERT INTO project (id, name, created_at) VALUES (1, ?, ?), (2, ?, ?)').run(
      'p1',
      now,
      'p2',
      now,
    );
    db.prepare(
      "INSERT INTO machine (id, project_id, type, name, created_at) VALUES (7, 2, 'fan', 'id_00', ?)",
    ).run(now);
    const indexesBefore = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
      .all();
    db.close();

    const upgraded = openDatabase(file);
    expect(upgraded.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(upgraded.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = upgraded
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%id INTEGER PRIMARY KEY%'",
      )
      .all() as { name: string; sql: string }[];
    expect(tables.length).toBeGreaterThanOrEqual(11);
    for (const tbl of tables) expect(tbl.sql, tbl.name).toMatch(/id INTEGER PRIMARY KEY AUTOINCREMENT/);
    expect(
      upgraded
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        .all(),
    ).toEqual(expect.arrayContaining(indexesBefore as object[]));
    expect(upgraded.prepare('SELECT id, name FROM project ORDER BY id').all()).toEqual([
      { id: 1, name: 'p1' },
      { id: 2, name: 'p2' },
    ]);
    // Foreign keys still cascade, and the deleted top id is not reused.
    upgraded.prepare('DELETE FROM project WHERE id = 2').run();
    expect(upgraded.prepare('SELECT count(*) AS n FROM machine').get()).toEqual({ n: 0 });
    const id = upgraded
      .prepare("INSERT INTO project (name, created_at) VALUES ('p3', ?)")
      .run(now).lastInsertRowid;
    expect(Number(id)).toBe(3);
    upgraded.close();
  });
});
