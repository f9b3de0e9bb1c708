import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '@tessera/data';
import pg from 'pg';
import type { ColumnDescription } from '../column-description.js';
import { quoteIdentifier } from '../identifiers.js';
import { postgresProblem } from './postgres-errors.js';
import { resolvePostgresTable } from './postgres-table.js';
import { TextTable } from './text-table.js';

/** Rows per FETCH from the server-side cursor: the most the copy holds in JavaScript at once. */
const FETCH_ROWS = 10_000;

/** Every value as the server's own text (no JavaScript conversion): cells equal the same data written to CSV. */
const RAW_TEXT = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

/**
 * A table or view of a PostgreSQL database copied into a DuckDB table of text columns, read through `pg` with a
 * server-side cursor in a read-only transaction, FETCH_ROWS rows at a time. The name (`table` or `schema.table`) is
 * checked against the catalog and only the stored names are quoted into SQL. Errors are DataErrors naming `source`
 * (the url without its password) and saying what to change; no message ever holds the password.
 */
export async function registerPostgres(
  conn: DuckDBConnection,
  relation: string,
  url: string,
  table: string,
  source: string,
): Promise<ColumnDescription[]> {
  const secrets = urlSecrets(url, source);
  let grant: string | undefined;
  const client = new pg.Client({
    connectionString: url,
    application_name: 'tessera-participant',
    connectionTimeoutMillis: 10_000,
    types: RAW_TEXT,
  });
  // A connection lost while idle is reported on the next query; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    const target = await resolvePostgresTable(client, table, source);
    await client.query('BEGIN READ ONLY');
    const from = `${quoteIdentifier(target.schema)}.${quoteIdentifier(target.name)}`;
    grant = `GRANT SELECT ON ${from} TO ${quoteIdentifier(client.user ?? 'the user')}`;
    await client.query(`DECLARE tessera_rows NO SCROLL CURSOR FOR SELECT * FROM ${from}`);
    let batch = await fetch(client);
    const text = await TextTable.create(
      conn,
      relation,
      batch.fields.map((f) => f.name),
      source,
    );
    try {
      for (;;) {
        for (const row of batch.rows) text.append(row);
        if (batch.rows.length < FETCH_ROWS) break;
        batch = await fetch(client);
      }
      text.finish();
    } catch (err) {
      await text.abandon();
      throw err;
    }
    await client.query('COMMIT');
    return text.columns;
  } catch (err) {
    throw postgresProblem(err, source, secrets, grant);
  } finally {
    await client.end().catch(() => {});
  }
}

function fetch(client: pg.Client): Promise<pg.QueryArrayResult<(string | null)[]>> {
  return client.query({ text: `FETCH ${FETCH_ROWS} FROM tessera_rows`, rowMode: 'array' });
}

/** The url's password as written and decoded, to keep out of messages; a url not postgres:// is a DataError. */
function urlSecrets(url: string, source: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DataError({ source }, 'the url is not a valid URL; write it as postgres://user:password@host:port/db');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DataError(
      { source },
      `the url starts with ${parsed.protocol}//; write it as postgres://user:password@host:port/db`,
    );
  }
  const secrets = [parsed.password];
  try {
    secrets.push(decodeURIComponent(parsed.password));
  } catch {
    // A malformed escape: the password as written is all there is to hide.
  }
  // pg also reads a password from the query (?password=, ?sslpassword=).
  for (const key of ['password', 'sslpassword']) secrets.push(...parsed.searchParams.getAll(key));
  return secrets.filter((s) => s !== '');
}
