/** The PostgreSQL side of the replica directory: which coordinator processes share this database, and where. */
import type pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { ReplicaRecord } from '../store.js';
import { replicaFromRow, type ReplicaRow } from '../store-rows.js';

/** Replicas and the federation's replica secret in a PostgreSQL database (the store delegates to it). */
export class PostgresReplicas {
  constructor(private readonly pool: pg.Pool) {}

  async register(id: string, address: string, now = Date.now()): Promise<void> {
    await this.pool.query(
      `INSERT INTO replicas (id, address, started_at, heartbeat_at) VALUES ($1, $2, $3, $3)
      ON CONFLICT (id) DO UPDATE SET address = EXCLUDED.address, started_at = EXCLUDED.started_at,
        heartbeat_at = EXCLUDED.heartbeat_at`,
      [id, address, now],
    );
  }

  async heartbeat(id: string, now = Date.now()): Promise<void> {
    await this.pool.query('UPDATE replicas SET heartbeat_at = $1 WHERE id = $2', [now, id]);
  }

  async live(since: number): Promise<ReplicaRecord[]> {
    const r = await this.pool.query<ReplicaRow>(
      'SELECT * FROM replicas WHERE heartbeat_at >= $1 ORDER BY started_at, id',
      [since],
    );
    return r.rows.map(replicaFromRow);
  }

  async remove(id: string): Promise<void> {
    await this.pool.query('DELETE FROM replicas WHERE id = $1', [id]);
  }

  /** The secret replicas prove themselves with to each other, drawn once (node:crypto) by the first that asks. */
  async secret(): Promise<Uint8Array> {
    await this.pool.query('INSERT INTO replica_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
      randomBytes(32),
    ]);
    const r = await this.pool.query<{ secret: Buffer }>('SELECT secret FROM replica_secret WHERE id = 1');
    return new Uint8Array(r.rows[0]!.secret);
  }
}
