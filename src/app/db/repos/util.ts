import type { Db } from '../database.ts';
/** Current time as the ISO-8601 UTC string every table stores. */
export function nowIso(): string {
  return new Date().toISOString();
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text == null || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** The row `sql` selects with `args`, through `map`; undefined when there is none. */
export function oneRow<R, T>(db: Db, sql: string, args: unknown[], map: (row: R) => T): T | undefined {
  const row = db.prepare(sql).get(...args) as R | undefined;
  return row && map(row);
}

/** Every row `sql` selects with `args`, through `map`. */
export function allRows<R, T>(db: Db, sql: string, args: unknown[], map: (row: R) => T): T[] {
  return (db.prepare(sql).all(...args) as R[]).map(map);
}

/** The row of `table` with primary key `id`, through `map`. */
export function byId<R, T>(db: Db, table: string, id: number, map: (row: R) => T): T | undefined {
  return oneRow(db, `SELECT * FROM ${table} WHERE id = ?`, [id], map);
}
