/** Transactions and advisory locks of the PostgreSQL store. */
import type pg from 'pg';

/** What a query runs on: the pool (one statement, autocommit) or a transaction's client. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * Keys of transaction-scoped advisory locks (pg_advisory_xact_lock(TESSERA, key)): they serialise, across replicas,
 * what SQLite serialises by having one writer.
 */
export const LOCKS = { migrations: 1, enrolment: 2, analysts: 3, ledger: 4 } as const;

/** The first key of every Tessera advisory lock ('TSRA'), so they do not clash with other users of the database. */
const TESSERA = 0x54535241;

/**
 * Runs `fn` in one transaction on one connection, after taking the advisory lock `lock` if given: commits what it
 * did, or rolls it all back and rethrows. A connection that cannot even roll back is discarded, not reused.
 */
export async function transaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  lock?: keyof typeof LOCKS,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    if (lock !== undefined) await client.query('SELECT pg_advisory_xact_lock($1, $2)', [TESSERA, LOCKS[lock]]);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch((rollback: unknown) => {
      broken = rollback instanceof Error ? rollback : new Error(String(rollback));
    });
    throw e;
  } finally {
    client.release(broken);
  }
}
