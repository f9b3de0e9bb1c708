/** The PostgreSQL side of analyst identities: invitations (stored as hashes), registered keys and revocations. */
import type pg from 'pg';
import { invitationRefusal } from '../../analysts/analyst-rules.js';
import { analystFromRow } from '../sqlite-analysts.js';
import {
  analystKeyClash,
  refuseAnalystKeyTaken,
  refuseAnalystNameTaken,
  UNKNOWN_INVITATION_REASON,
  unknownAnalyst,
} from '../store-refusals.js';
import type { AnalystJoinResult, AnalystRecord } from '../store.js';
import type { Row } from './postgres-rows.js';
import { type Queryable, transaction } from './postgres-transaction.js';

/**
 * Analysts in a PostgreSQL database (the store delegates to it). Each read-then-write runs in a transaction under
 * the analysts advisory lock, so replicas take turns as SQLite's single writer does.
 */
export class PostgresAnalysts {
  constructor(private readonly pool: pg.Pool) {}

  get(name: string, now = Date.now()): Promise<AnalystRecord | undefined> {
    return this.getOn(this.pool, name, now);
  }

  private async getOn(db: Queryable, name: string, now: number): Promise<AnalystRecord | undefined> {
    const r = await db.query<Row>('SELECT * FROM analysts WHERE name = $1', [name]);
    return r.rows[0] && analystFromRow(r.rows[0], now);
  }

  byKey(publicKey: Uint8Array, now = Date.now()): Promise<AnalystRecord | undefined> {
    return this.byKeyOn(this.pool, publicKey, now);
  }

  private async byKeyOn(db: Queryable, publicKey: Uint8Array, now: number): Promise<AnalystRecord | undefined> {
    const r = await db.query<Row>('SELECT * FROM analysts WHERE public_key = $1', [Buffer.from(publicKey)]);
    return r.rows[0] && analystFromRow(r.rows[0], now);
  }

  async list(now = Date.now()): Promise<AnalystRecord[]> {
    const r = await this.pool.query<Row>('SELECT * FROM analysts ORDER BY created_at, name');
    return r.rows.map((row) => analystFromRow(row, now));
  }

  invite(name: string, secretHash: string, times: { now: number; expiresAt: number }): Promise<AnalystRecord> {
    return transaction(
      this.pool,
      async (db) => {
        const existing = await this.getOn(db, name, times.now);
        if (existing) {
          refuseAnalystNameTaken(existing);
          await db.query('UPDATE analysts SET invitation_hash = $1, invitation_expires_at = $2 WHERE name = $3', [
            secretHash,
            times.expiresAt,
            name,
          ]);
        } else {
          await db.query(
            'INSERT INTO analysts (name, created_at, invitation_hash, invitation_expires_at) VALUES ($1, $2, $3, $4)',
            [name, times.now, secretHash, times.expiresAt],
          );
        }
        return (await this.getOn(db, name, times.now))!;
      },
      'analysts',
    );
  }

  register(name: string, publicKey: Uint8Array, now = Date.now()): Promise<AnalystRecord> {
    return transaction(
      this.pool,
      async (db) => {
        const existing = await this.getOn(db, name, now);
        if (existing) refuseAnalystNameTaken(existing);
        refuseAnalystKeyTaken(await this.byKeyOn(db, publicKey, now), name);
        const key = Buffer.from(publicKey);
        if (existing)
          await db.query(
            'UPDATE analysts SET public_key = $1, joined_at = $2, invitation_hash = NULL, ' +
              'invitation_expires_at = NULL WHERE name = $3',
            [key, now, name],
          );
        else
          await db.query('INSERT INTO analysts (name, public_key, created_at, joined_at) VALUES ($1, $2, $3, $4)', [
            name,
            key,
            now,
            now,
          ]);
        return (await this.getOn(db, name, now))!;
      },
      'analysts',
    );
  }

  redeem(secretHash: string, publicKey: Uint8Array, now = Date.now()): Promise<AnalystJoinResult> {
    return transaction(
      this.pool,
      async (db): Promise<AnalystJoinResult> => {
        const row = (await db.query<Row>('SELECT * FROM analysts WHERE invitation_hash = $1', [secretHash])).rows[0];
        if (!row) return { ok: false, reason: UNKNOWN_INVITATION_REASON };
        const analyst = analystFromRow(row, now);
        const refusal = invitationRefusal(analyst);
        if (refusal) return { ok: false, reason: refusal };
        const clash = await this.byKeyOn(db, publicKey, now);
        if (clash) return { ok: false, reason: analystKeyClash(clash.name) };
        await db.query(
          'UPDATE analysts SET public_key = $1, joined_at = $2, invitation_hash = NULL, ' +
            'invitation_expires_at = NULL WHERE name = $3',
          [Buffer.from(publicKey), now, analyst.name],
        );
        return { ok: true, analyst: (await this.getOn(db, analyst.name, now))! };
      },
      'analysts',
    );
  }

  revoke(name: string, now = Date.now()): Promise<AnalystRecord> {
    return transaction(
      this.pool,
      async (db) => {
        const a = await this.getOn(db, name, now);
        if (!a) throw unknownAnalyst(name);
        if (a.status === 'revoked') return a;
        await db.query('UPDATE analysts SET revoked_at = $1, invitation_hash = NULL WHERE name = $2', [now, name]);
        return (await this.getOn(db, name, now))!;
      },
      'analysts',
    );
  }
}
