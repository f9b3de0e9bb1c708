import { DataError } from '@tessera/data';
import type pg from 'pg';

/** A table or view as the catalog stores it. */
export interface PostgresTable {
  schema: string;
  name: string;
}

/** How many table names a "there is no such table" message lists. */
const LISTED = 20;

interface CatalogRow {
  schema: string;
  name: string;
  /** 1-based position of the schema in the search path (as text, like every value read), null when not there. */
  rank: string | null;
}

/**
 * The stored schema and name of `requested`, checked against pg_catalog (every table, view, materialised view,
 * partitioned and foreign table outside the system schemas, whatever the user's privileges): `schema.table` names
 * one exactly; a bare `table` is the first in the search path, as PostgreSQL would resolve it; failing those, the one
 * name equal to it ignoring case. Otherwise a DataError listing up to 20 of the tables and views there are.
 */
export async function resolvePostgresTable(
  client: pg.Client,
  requested: string,
  source: string,
): Promise<PostgresTable> {
  const { rows } = await client.query<CatalogRow>(
    `SELECT n.nspname AS schema, c.relname AS name,
            array_position(current_schemas(false), n.nspname) AS rank
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
        AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY rank NULLS LAST, n.nspname, c.relname`,
  );
  const found = exactMatch(rows, requested) ?? caseInsensitiveMatch(rows, requested);
  if (found) return { schema: found.schema, name: found.name };
  const names = rows.map(shownName);
  const listed = names.slice(0, LISTED).join(', ');
  const more = names.length > LISTED ? ` and ${names.length - LISTED} more` : '';
  const available = names.length > 0 ? `the tables and views are: ${listed}${more}` : 'the database has no tables';
  throw new DataError(
    { source },
    `there is no table or view named ${JSON.stringify(requested)}; ${available} (write schema.table for one outside ` +
      'the search path)',
  );
}

function exactMatch(rows: CatalogRow[], requested: string): CatalogRow | undefined {
  const qualified = rows.find((r) => `${r.schema}.${r.name}` === requested);
  return qualified ?? rows.find((r) => r.rank !== null && r.name === requested);
}

function caseInsensitiveMatch(rows: CatalogRow[], requested: string): CatalogRow | undefined {
  const lower = requested.toLowerCase();
  const matches = rows.filter(
    (r) => `${r.schema}.${r.name}`.toLowerCase() === lower || (r.rank !== null && r.name.toLowerCase() === lower),
  );
  return matches.length === 1 ? matches[0] : undefined;
}

/** A table's name as a user would write it: bare in the search path, schema.table outside it. */
function shownName(row: CatalogRow): string {
  return row.rank !== null ? row.name : `${row.schema}.${row.name}`;
}
