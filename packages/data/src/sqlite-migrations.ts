/**
 * The schema migration runner of Tessera's SQLite files (the coordinator's store, the participant's ledger): applies
 * the migrations a file has not seen, in order, each once, and records them in the file's own bookkeeping table.
 *
 * The two files have always recorded their version differently (a row per migration; a single version row), and
 * files written by earlier releases must open unchanged, so the bookkeeping is a parameter (a MigrationBook).
 * The database is typed structurally: @tessera/data does not depend on better-sqlite3, its callers pass theirs.
 */

/** The part of a better-sqlite3 Database the runner uses. */
export interface SqliteConnection {
  exec(sql: string): unknown;
  prepare(sql: string): { get(...params: unknown[]): unknown; run(...params: unknown[]): unknown };
  readonly inTransaction: boolean;
}

/** One schema change. Never edit a released one: add the next version. */
export interface Migration {
  /** 1 for the first migration, then consecutive. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** How a database records the migrations applied to it. */
export interface MigrationBook {
  /** Creates the bookkeeping table if it is missing. */
  init(db: SqliteConnection): void;
  /** The version of the newest migration applied, 0 for none. */
  current(db: SqliteConnection): number;
  /** Records that `applied` were applied (in order, after `current`), inside the runner's transaction. */
  record(db: SqliteConnection, applied: readonly Migration[]): void;
}

/** A row per migration, schema_migrations(version, name, applied_at): the coordinator's store. */
export const MIGRATIONS_TABLE: MigrationBook = {
  init: (db) =>
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations ' +
        '(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    ),
  current: (db) => (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0,
  record: (db, applied) => {
    const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of applied) insert.run(m.version, m.name, Date.now());
  },
};

/** A single row holding the newest version, schema_version(version): the participant's ledger. */
export const VERSION_ROW: MigrationBook = {
  init: (db) => db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)'),
  current: (db) =>
    (db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined)?.version ?? 0,
  record: (db, applied) => {
    const newest = applied.at(-1);
    if (newest === undefined) return;
    db.prepare('DELETE FROM schema_version').run();
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(newest.version);
  },
};

/** The file was written by newer software: it has migrations this one does not know. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly current: number,
    readonly known: number,
    message: string,
  ) {
    super(message);
    this.name = 'SchemaTooNewError';
  }
}

/** A list of migrations that is not 1, 2, 3... in order (a programming error). */
export class MigrationListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationListError';
  }
}

export interface MigrateOptions {
  book: MigrationBook;
  /** The SchemaTooNewError message for a file at version `current` when this software knows up to `known`. */
  tooNew: (current: number, known: number) => string;
}

/**
 * Brings `db` up to the newest of `migrations` and returns that version, or throws SchemaTooNewError. The pending
 * migrations and their record are one immediate transaction: a failed migration leaves the file as it was, and
 * two processes opening the same file cannot both apply a migration (the second re-reads the version under the lock).
 */
export function migrate(db: SqliteConnection, migrations: readonly Migration[], options: MigrateOptions): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new MigrationListError(
        `migration ${i + 1} ("${m.name}") has version ${m.version}; versions are 1, 2, 3...`,
      );
  });
  const known = migrations.length;
  const { book } = options;
  const check = (current: number): number => {
    if (current > known) throw new SchemaTooNewError(current, known, options.tooNew(current, known));
    return current;
  };
  book.init(db);
  if (check(book.current(db)) === known) return known;
  db.exec('BEGIN IMMEDIATE');
  try {
    const pending = migrations.slice(check(book.current(db)));
    for (const m of pending) db.exec(m.sql);
    book.record(db, pending);
    db.exec('COMMIT');
  } catch (e) {
    // SQLite rolls some failures back by itself; a second ROLLBACK would throw and hide the cause.
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
  return known;
}
