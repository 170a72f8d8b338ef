import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.ts';

export type Db = Database.Database;

/** Applies the pragmas every connection needs: WAL, foreign keys, and waiting for other writers. */
function configure(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // Job processes and the UI process write the same file; wait instead of failing on SQLITE_BUSY.
  db.pragma('busy_timeout = 15000');
  db.pragma('synchronous = NORMAL');
}

/** Brings the schema to `target` (default: latest), one transaction per migration. */
export function migrate(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
  target = migrations.length,
): number {
  let version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) {
    throw new Error(
      `Workspace database is at schema version ${version}, newer than this Auscult (${migrations.length}): update Auscult`,
    );
  }
  while (version < target) {
    const m = migrations[version]!;
    // A new column referencing another table trips foreign-key checks mid-migration; they are
    // re-verified with foreign_key_check before commit.
    // foreign_keys can only change outside a transaction; a rebuild needs them off.
    if (m.rebuild) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        m.rebuild?.(db);
        db.exec(m.sql);
        const problems = db.pragma('foreign_key_check') as unknown[];
        if (problems.length)
          throw new Error(`migration ${m.version} left ${problems.length} foreign-key violations`);
        db.pragma(`user_version = ${m.version}`);
      })();
    } finally {
      if (m.rebuild) db.pragma('foreign_keys = ON');
    }
    version = m.version;
  }
  return version;
}

/** Opens (creating if needed) the SQLite database file at `file`, migrated to the latest schema. */
export function openDatabase(file: string, opts: { migrate?: boolean } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw new Error(`Cannot open workspace database ${file}: ${(err as Error).message}`);
  }
  try {
    configure(db);
    if (opts.migrate !== false) migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export { SCHEMA_VERSION };
