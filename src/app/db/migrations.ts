/**
 * Schema migrations, applied in order at open. `user_version` holds the number of migrations
 * applied; each runs in its own transaction together with its `user_version` bump, so a failing
 * migration leaves the database at the previous version. Never edit a released migration: add one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
  /**
   * Rebuilds tables (SQLite cannot add AUTOINCREMENT in place): runs with foreign keys off, as
   * SQLite's table-rebuild procedure requires (a DROP would otherwise cascade), then checks them.
   */
  rebuild?: (db: import('better-sqlite3').Database) => void;
}

/**
 * Rebuilds every table whose id is `INTEGER PRIMARY KEY` without AUTOINCREMENT with it, keeping
 * rows, indexes and constraints: ids are then never reused after a delete, so the audit log's
 * entity ids stay unambiguous. Works from the stored schema, so columns added by any earlier
 * migration are kept.
 */
function addAutoincrement(db: import('better-sqlite3').Database): void {
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string; sql: string }[];
  for (const { name, sql } of tables) {
    const pk = /\bid INTEGER PRIMARY KEY(?! AUTOINCREMENT)/;
    if (!pk.test(sql)) continue;
    const indexes = db
      .prepare(
        "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ? AND sql IS NOT NULL",
      )
      .all(name) as { sql: string }[];
    const tmp = `${name}__autoincrement`;
    const createSql = sql
      .replace(pk, 'id INTEGER PRIMARY KEY AUTOINCREMENT')
      .replace(/^CREATE TABLE\s+("?)\w+\1/, `CREATE TABLE ${tmp}`);
    db.exec(createSql);
    db.exec(`INSERT INTO ${tmp} SELECT * FROM ${name}`);
    db.exec(`DROP TABLE ${name}`);
    db.exec(`ALTER TABLE ${tmp} RENAME TO ${name}`);
    for (const i of indexes) db.exec(i.sql);
  }
}

/**
 * The alarm table with its allowed statuses (migration 2; rebuilt by migration 5, since SQLite
 * cannot alter a CHECK) and any extra column definitions.
 */
function alarmTable(name: string, statuses: string[], extraColumns = ''): string {
  return `CREATE TABLE ${name} (
        id INTEGER PRIMARY KEY,
        recording_id INTEGER NOT NULL REFERENCES recording(id) ON DELETE CASCADE,
        score_id INTEGER NOT NULL REFERENCES score(id) ON DELETE CASCADE,
        threshold_id INTEGER NOT NULL REFERENCES threshold(id) ON DELETE CASCADE,
        score_value REAL NOT NULL,
        threshold_value REAL NOT NULL,
        status TEXT NOT NULL CHECK (status IN (${statuses.map((st) => `'${st}'`).join(',')})),
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL DEFAULT 'system',${extraColumns ? `\n        ${extraColumns}` : ''}
        UNIQUE (score_id)
      );`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'projects, machines, recordings, import errors, jobs',
    sql: `
      CREATE TABLE project (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
        description TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
      );
      CREATE TABLE machine (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        location TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        UNIQUE (project_id, type, name)
      );
      CREATE TABLE job (
        id INTEGER PRIMARY KEY,
        project_id INTEGER REFERENCES project(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled','interrupted')),
        params TEXT NOT NULL DEFAULT '{}',
        progress REAL NOT NULL DEFAULT 0,
        progress_message TEXT NOT NULL DEFAULT '',
        log TEXT NOT NULL DEFAULT '',
        error TEXT,
        result TEXT,
        worker_pid INTEGER,
        owner_pid INTEGER,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX job_status ON job(status);
      CREATE TABLE recording (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        machine_id INTEGER NOT NULL REFERENCES machine(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        storage TEXT NOT NULL CHECK (storage IN ('copied','referenced')),
        original_path TEXT NOT NULL,
        file_name TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        container TEXT NOT NULL,
        codec TEXT NOT NULL,
        channels INTEGER NOT NULL,
        sample_rate_hz INTEGER NOT NULL,
        bits_per_sample INTEGER NOT NULL,
        duration_s REAL NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('train','test','monitor')),
        label TEXT NOT NULL CHECK (label IN ('normal','anomaly','unknown')),
        source TEXT NOT NULL,
        import_job_id INTEGER REFERENCES job(id) ON DELETE SET NULL,
        imported_at TEXT NOT NULL,
        UNIQUE (project_id, content_hash)
      );
      CREATE INDEX recording_machine ON recording(machine_id, role);
      CREATE TABLE import_error (
        id INTEGER PRIMARY KEY,
        job_id INTEGER REFERENCES job(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        error TEXT NOT NULL,
        at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'models, back-end fits, scores, thresholds, alarms, audit log',
    sql: `
      CREATE TABLE model (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('sc-adacos','mean-logmel')),
        subclusters INTEGER NOT NULL DEFAULT 1,
        preset TEXT NOT NULL DEFAULT '',
        config TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL CHECK (status IN ('queued','training','trained','failed','interrupted')),
        metrics TEXT,
        dir TEXT,
        job_id INTEGER REFERENCES job(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        trained_at TEXT
      );
      ALTER TABLE project ADD COLUMN active_model_id INTEGER REFERENCES model(id) ON DELETE SET NULL;
      CREATE TABLE backend_fit (
        id INTEGER PRIMARY KEY,
        model_id INTEGER NOT NULL REFERENCES model(id) ON DELETE CASCADE,
        machine_id INTEGER NOT NULL REFERENCES machine(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        params TEXT NOT NULL,
        train_count INTEGER NOT NULL,
        heldout_scores TEXT NOT NULL DEFAULT '[]',
        fitted_at TEXT NOT NULL,
        UNIQUE (model_id, machine_id)
      );
      CREATE TABLE score (
        id INTEGER PRIMARY KEY,
        recording_id INTEGER NOT NULL REFERENCES recording(id) ON DELETE CASCADE,
        model_id INTEGER NOT NULL REFERENCES model(id) ON DELETE CASCADE,
        backend TEXT NOT NULL,
        clip_score REAL NOT NULL,
        window_scores TEXT NOT NULL DEFAULT '[]',
        window_starts_s TEXT NOT NULL DEFAULT '[]',
        scored_at TEXT NOT NULL,
        UNIQUE (recording_id, model_id)
      );
      CREATE TABLE threshold (
        id INTEGER PRIMARY KEY,
        machine_id INTEGER NOT NULL REFERENCES machine(id) ON DELETE CASCADE,
        model_id INTEGER NOT NULL REFERENCES model(id) ON DELETE CASCADE,
        value REAL NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('default-quantile','target-far','manual')),
        quantile REAL,
        target_far REAL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1
      );
      CREATE UNIQUE INDEX threshold_active ON threshold(machine_id, model_id) WHERE active = 1;
      ${alarmTable('alarm', ['new', 'acknowledged', 'confirmed_anomaly', 'false_alarm'])}
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id INTEGER,
        details TEXT NOT NULL DEFAULT '{}'
      );
    `,
  },
  {
    version: 3,
    description: 'watched folders, false alarms as training data, dashboard indexes',
    sql: `
      ALTER TABLE project ADD COLUMN watch_dir TEXT;
      ALTER TABLE project ADD COLUMN watch_copy INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE recording ADD COLUMN added_to_training INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX recording_project_time ON recording(project_id, imported_at);
      CREATE INDEX score_model ON score(model_id, recording_id);
      CREATE INDEX alarm_status ON alarm(status, created_at);
      CREATE INDEX alarm_recording ON alarm(recording_id);
    `,
  },
  {
    version: 4,
    description: 'newest-first recording pages per project and per machine without sorting',
    sql: `
      CREATE INDEX recording_project ON recording(project_id);
      CREATE INDEX recording_machine_newest ON recording(machine_id);
    `,
  },
  {
    version: 5,
    description:
      'training sets fixed per model out of its config; cleared alarms; threshold undo; clip level, decoder warnings, DCASE section/domain/attributes; added-to-training clips become role train',
    sql: `
      ALTER TABLE model ADD COLUMN training_recording_ids TEXT;
      UPDATE model SET training_recording_ids = json_extract(config, '$.trainingRecordingIds'),
                       config = json_remove(config, '$.trainingRecordingIds')
       WHERE json_extract(config, '$.trainingRecordingIds') IS NOT NULL;

      -- The threshold a row replaced: "undo" restores it.
      ALTER TABLE threshold ADD COLUMN replaces_id INTEGER REFERENCES threshold(id) ON DELETE SET NULL;

      -- A status CHECK cannot be altered in SQLite: the alarm table is rebuilt with 'cleared'
      -- (an untriaged alarm a threshold change put below the threshold) and the change that did it.
      ${alarmTable('alarm_v5', ['new', 'acknowledged', 'confirmed_anomaly', 'false_alarm', 'cleared'], 'cleared_by_threshold_id INTEGER REFERENCES threshold(id) ON DELETE SET NULL,')}
      INSERT INTO alarm_v5 (id, recording_id, score_id, threshold_id, score_value, threshold_value, status, note,
                            created_at, updated_at, updated_by)
        SELECT id, recording_id, score_id, threshold_id, score_value, threshold_value, status, note,
               created_at, updated_at, updated_by FROM alarm;
      DROP TABLE alarm;
      ALTER TABLE alarm_v5 RENAME TO alarm;
      CREATE INDEX alarm_status ON alarm(status, created_at);
      CREATE INDEX alarm_recording ON alarm(recording_id);

      -- RMS level of the clip (dBFS, full-scale square wave = 0 dB) and the decoder's warnings.
      ALTER TABLE recording ADD COLUMN level_dbfs REAL;
      ALTER TABLE recording ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
      -- DCASE 2021–2025 naming: section, source/target domain, attributes (file name or CSV).
      ALTER TABLE recording ADD COLUMN section TEXT;
      ALTER TABLE recording ADD COLUMN domain TEXT CHECK (domain IN ('source','target'));
      ALTER TABLE recording ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
      -- "Add to training" moves a clip to role train; the role it had is kept so it can be undone.
      ALTER TABLE recording ADD COLUMN role_before_training TEXT;
      UPDATE recording SET role_before_training = role, role = 'train'
       WHERE added_to_training = 1 AND role != 'train';
    `,
  },
  {
    version: 6,
    description: 'ids never reused (AUTOINCREMENT); start identity of job processes',
    sql: `
      ALTER TABLE job ADD COLUMN worker_start TEXT;
      ALTER TABLE job ADD COLUMN owner_start TEXT;
    `,
    rebuild: addAutoincrement,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;
