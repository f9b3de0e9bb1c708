/**
 * Where a data set's rows live. A data set is described once, in the node's config: the source, and optionally the
 * customer key (the column that names whose row it is).
 */
export type SourceSpec =
  /** A UTF-8 CSV file with a header line (any size: read by DuckDB, never whole into JavaScript). */
  | { type: 'csv'; path: string }
  /** A Parquet file. */
  | { type: 'parquet'; path: string }
  /** A table or view of a SQLite database, opened read-only. */
  | { type: 'sqlite'; path: string; table: string }
  /**
   * A table or view of a PostgreSQL database, read through `pg` (DuckDB's own postgres extension is downloaded at run
   * time, which this deployment cannot do). `url` is a postgres:// connection string; its password is never logged.
   */
  | { type: 'postgres'; url: string; table: string }
  /**
   * Rows already parsed by a JavaScript reader (`source` names where they came from): copied in as text, so that the
   * engine sees the very cells that reader saw.
   */
  | { type: 'rows'; source: string; columns: readonly string[]; rows: readonly (readonly string[])[] };

/** A human-readable name of a source for messages: the file, or the database and table (never a password). */
export function sourceLabel(spec: SourceSpec): string {
  switch (spec.type) {
    case 'csv':
    case 'parquet':
      return spec.path;
    case 'sqlite':
      return `${spec.path} table "${spec.table}"`;
    case 'postgres':
      return `${redactedUrl(spec.url)} table "${spec.table}"`;
    case 'rows':
      return spec.source;
  }
}

/** A postgres:// URL with any password (user info, or the query's password and sslpassword) replaced by ***. */
export function redactedUrl(url: string): string {
  let shown: string;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    shown = u.toString();
  } catch {
    shown = url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
  return shown.replace(QUERY_PASSWORD, '$1***');
}

/** pg, like libpq, also reads a password from the url's query. */
const QUERY_PASSWORD = /([?&](?:ssl)?password=)[^&#]*/gi;
