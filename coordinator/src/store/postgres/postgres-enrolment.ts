/** The PostgreSQL side of enrolment: tokens (stored as hashes) and participants with their status. */
import { randomId } from '@tessera/crypto';
import type pg from 'pg';
import { DEFAULT_TOKEN_LIFETIME_MS, redeemRefusal } from '../../enrolment/enrolment-rules.js';
import { participantFromRow, tokenFromRow } from '../sqlite-enrolment.js';
import {
  participantKeyClash,
  participantRevoked,
  tokenAlreadyUsed,
  UNKNOWN_TOKEN_REASON,
  unknownParticipant,
  unknownTokenId,
} from '../store-refusals.js';
import type {
  EnrollmentTokenRecord,
  NewParticipant,
  ParticipantRecord,
  ParticipantStatus,
  RedeemResult,
} from '../store.js';
import type { Row } from './postgres-rows.js';
import { type Queryable, transaction } from './postgres-transaction.js';

/**
 * Enrolment tokens and participants in a PostgreSQL database (the store delegates to it). Each read-then-write runs
 * in a transaction under the enrolment advisory lock, so replicas take turns as SQLite's single writer does.
 */
export class PostgresEnrolment {
  constructor(private readonly pool: pg.Pool) {}

  async addToken(tokenHash: string, name: string, options: { expiresAt?: number; now?: number } = {}) {
    const now = options.now ?? Date.now();
    const id = randomId('tok-');
    const expiresAt = options.expiresAt ?? now + DEFAULT_TOKEN_LIFETIME_MS;
    await this.pool.query(
      'INSERT INTO enrollment_tokens (token_hash, id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [tokenHash, id, name, now, expiresAt],
    );
    return (await this.token(this.pool, id, now))!;
  }

  private async token(db: Queryable, id: string, now: number): Promise<EnrollmentTokenRecord | undefined> {
    const r = await db.query<Row>('SELECT * FROM enrollment_tokens WHERE id = $1', [id]);
    return r.rows[0] && tokenFromRow(r.rows[0], now);
  }

  async listTokens(now = Date.now()): Promise<EnrollmentTokenRecord[]> {
    const r = await this.pool.query<Row>('SELECT * FROM enrollment_tokens ORDER BY created_at, id');
    return r.rows.map((row) => tokenFromRow(row, now));
  }

  revokeToken(id: string, now = Date.now()): Promise<EnrollmentTokenRecord> {
    return transaction(
      this.pool,
      async (db) => {
        const t = await this.token(db, id, now);
        if (!t) throw unknownTokenId(id);
        if (t.status === 'used') throw tokenAlreadyUsed(id, t.participantId);
        if (t.status === 'revoked') return t;
        await db.query('UPDATE enrollment_tokens SET revoked_at = $1 WHERE id = $2', [now, id]);
        return (await this.token(db, id, now))!;
      },
      'enrolment',
    );
  }

  redeem(tokenHash: string, p: NewParticipant, now = Date.now()): Promise<RedeemResult> {
    return transaction(
      this.pool,
      async (db): Promise<RedeemResult> => {
        const row = (await db.query<Row>('SELECT * FROM enrollment_tokens WHERE token_hash = $1', [tokenHash])).rows[0];
        if (!row) return { ok: false, reason: UNKNOWN_TOKEN_REASON };
        const token = tokenFromRow(row, now);
        const refusal = redeemRefusal(token, p.name, now);
        if (refusal) return { ok: false, reason: refusal };
        const key = Buffer.from(p.publicKey);
        const clash = (await db.query<Row>('SELECT id FROM participants WHERE public_key = $1', [key])).rows[0];
        if (clash) return { ok: false, reason: participantKeyClash(clash.id as string) };
        await db.query('UPDATE enrollment_tokens SET used_at = $1, participant_id = $2 WHERE token_hash = $3', [
          now,
          p.id,
          tokenHash,
        ]);
        await db.query('INSERT INTO participants (id, name, public_key, enrolled_at) VALUES ($1, $2, $3, $4)', [
          p.id,
          token.name,
          key,
          p.enrolledAt,
        ]);
        return { ok: true, participant: (await this.participantOn(db, p.id))! };
      },
      'enrolment',
    );
  }

  participant(id: string): Promise<ParticipantRecord | undefined> {
    return this.participantOn(this.pool, id);
  }

  private async participantOn(db: Queryable, id: string): Promise<ParticipantRecord | undefined> {
    const r = await db.query<Row>('SELECT * FROM participants WHERE id = $1', [id]);
    return r.rows[0] && participantFromRow(r.rows[0]);
  }

  async participants(): Promise<ParticipantRecord[]> {
    return (await this.pool.query<Row>('SELECT * FROM participants ORDER BY enrolled_at, id')).rows.map(
      participantFromRow,
    );
  }

  async inactive(): Promise<ParticipantRecord[]> {
    const sql = "SELECT * FROM participants WHERE status != 'active' ORDER BY enrolled_at, id";
    return (await this.pool.query<Row>(sql)).rows.map(participantFromRow);
  }

  setStatus(id: string, status: ParticipantStatus, now = Date.now()): Promise<ParticipantRecord> {
    return transaction(
      this.pool,
      async (db) => {
        const p = await this.participantOn(db, id);
        if (!p) throw unknownParticipant(id);
        if (p.status === status) return p;
        if (p.status === 'revoked') throw participantRevoked(id, p.name);
        await db.query('UPDATE participants SET status = $1, status_changed_at = $2 WHERE id = $3', [status, now, id]);
        return (await this.participantOn(db, id))!;
      },
      'enrolment',
    );
  }

  /** One statement: it never moves a participant's last-seen time backwards. */
  async markSeen(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      'UPDATE participants SET last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $1) WHERE id = ANY($2::text[])',
      [at, [...ids]],
    );
  }
}
