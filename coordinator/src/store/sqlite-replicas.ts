/** The SQLite side of the replica directory: which coordinator processes share this database, and where. */
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { ReplicaRecord } from './store.js';
import { replicaFromRow, type ReplicaRow } from './store-rows.js';

/** Replicas and the federation's replica secret in one SQLite database (the store delegates to it). */
export class SqliteReplicas {
  constructor(private readonly db: Database.Database) {}

  register(id: string, address: string, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO replicas (id, address, started_at, heartbeat_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET address = excluded.address, started_at = excluded.started_at,
          heartbeat_at = excluded.heartbeat_at`,
      )
      .run(id, address, now, now);
  }

  heartbeat(id: string, now = Date.now()): void {
    this.db.prepare('UPDATE replicas SET heartbeat_at = ? WHERE id = ?').run(now, id);
  }

  live(since: number): ReplicaRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM replicas WHERE heartbeat_at >= ? ORDER BY started_at, id')
        .all(since) as ReplicaRow[]
    ).map(replicaFromRow);
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM replicas WHERE id = ?').run(id);
  }

  /** The secret replicas prove themselves with to each other, drawn once (node:crypto) by the first that asks. */
  secret(): Uint8Array {
    this.db
      .prepare('INSERT INTO replica_secret (id, secret) VALUES (1, ?) ON CONFLICT (id) DO NOTHING')
      .run(randomBytes(32));
    const r = this.db.prepare('SELECT secret FROM replica_secret WHERE id = 1').get() as { secret: Buffer };
    return new Uint8Array(r.secret);
  }
}
