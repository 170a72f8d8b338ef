import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import { migrate, openDatabase } from '../../../src/app/db/database.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/app/db/migrations.ts';
import { tempDir } from '../helpers/workspace.ts';

let cleanup: () => void = () => {};
afterEach(() => cleanup());

/** Rows a database at `version` can hold: inserted before upgrading, checked after. */
function seed(db: Database.Database, version: number): void {
  const now = '2026-01-01T00:00:00.000Z';
  db.prepare('INSERT INTO project (id, name, created_at) VALUES (1, ?, ?)').run('line 1', now);
  db.prepare(
    "INSERT INTO machine (id, project_id, type, name, created_at) VALUES (1, 1, 'fan', 'id_00', ?)",
  ).run(now);
  db.prepare(
    "INSERT INTO job (id, project_id, kind, status, created_at) VALUES (1, 1, 'import', 'succeeded', ?)",
  ).run(now);
  db.prepare(
    `INSERT INTO recording (id, project_id, machine_id, path, storage, original_path, file_name, content_hash, container, codec,
       channels, sample_rate_hz, bits_per_sample, duration_s, role, label, source, import_job_id, imported_at)
     VALUES (1, 1, 1, '/x.wav', 'referenced', '/x.wav', 'x.wav', 'abc', 'wav', 'pcm', 1, 16000, 16, 10, 'train', 'normal', 'import', 1, ?)`,
  ).run(now);
  if (version >= 2) {
    db.prepare(
      "INSERT INTO model (id, project_id, name, kind, status, created_at) VALUES (1, 1, 'b', 'mean-logmel', 'trained', ?)",
    ).run(now);
    db.prepare(
      "INSERT INTO score (id, recording_id, model_id, backend, clip_score, scored_at) VALUES (1, 1, 1, 'mean-logmel', 3.5, ?)",
    ).run(now);
  }
}

describe('workspace database migrations', () => {
  it('creates a new database at the latest version with WAL and foreign keys on', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const db = openDatabase(path.join(t.dir, 'a.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  for (let from = 0; from < MIGRATIONS.length; from++) {
    it(`upgrades a database at version ${from} to ${SCHEMA_VERSION} keeping its data`, () => {
      const t = tempDir();
      cleanup = t.cleanup;
      const file = path.join(t.dir, 'old.db');
      const old = new Database(file);
      old.pragma('foreign_keys = ON');
      migrate(old, MIGRATIONS, from);
      expect(old.pragma('user_version', { simple: true })).toBe(from);
      if (from >= 1) seed(old, from);
      old.close();

      const db = openDatabase(file);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      if (from >= 1) {
        const rec = db.prepare('SELECT file_name, added_to_training FROM recording WHERE id = 1').get();
        expect(rec).toEqual({ file_name: 'x.wav', added_to_training: 0 });
        expect(db.prepare('SELECT active_model_id, watch_dir FROM project WHERE id = 1').get()).toEqual({
          active_model_id: null,
          watch_dir: null,
        });
      }
      if (from >= 2)
        expect(db.prepare('SELECT clip_score FROM score WHERE id = 1').get()).toEqual({ clip_score: 3.5 });
      // The schema reached by upgrading equals the schema of a fresh database.
      const fresh = openDatabase(path.join(t.dir, 'fresh.db'));
      const schema = (d: Database.Database) =>
        d
          .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
          .all();
      expect(schema(db)).toEqual(schema(fresh));
      fresh.close();
      db.close();
    });
  }

  it('rolls a failing migration back and leaves the previous version', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const db = new Database(path.join(t.dir, 'b.db'));
    const broken = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        description: 'broken',
        sql: 'CREATE TABLE zz (a); SELECT * FROM no_such_table;',
      },
    ];
    expect(() => migrate(db, broken)).toThrow(/no_such_table/);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'zz'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database from a newer Auscult', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = path.join(t.dir, 'c.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this Auscult/);
  });
});
