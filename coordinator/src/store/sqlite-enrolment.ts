/** The SQLite side of enrolment: tokens (stored as hashes) and participants with their status. */
import type Database from 'better-sqlite3';
import { randomId } from '@tessera/crypto';
import { DEFAULT_TOKEN_LIFETIME_MS, redeemRefusal, tokenStatus } from '../enrolment/enrolment-rules.js';
import { optional, type Row } from './sqlite-rows.js';
import {
  participantKeyClash,
  participantRevoked,
  tokenAlreadyUsed,
  UNKNOWN_TOKEN_REASON,
  unknownParticipant,
  unknownTokenId,
} from './store-refusals.js';
import type {
  EnrollmentTokenRecord,
  NewParticipant,
  ParticipantRecord,
  ParticipantStatus,
  RedeemResult,
} from './store.js';

/** A participants row as a record (the PostgreSQL store's rows have the same columns). */
export const participantFromRow = (r: Row): ParticipantRecord => {
  const changed = optional(r.status_changed_at);
  const seen = optional(r.last_seen_at);
  return {
    id: r.id as string,
    name: r.name as string,
    publicKey: new Uint8Array(r.public_key as Buffer),
    enrolledAt: r.enrolled_at as number,
    status: r.status as ParticipantStatus,
    ...(changed !== undefined ? { statusChangedAt: changed } : {}),
    ...(seen !== undefined ? { lastSeenAt: seen } : {}),
  };
};

/** An enrollment_tokens row as a record, its status derived at `now` (shared with the PostgreSQL store). */
export const tokenFromRow = (r: Row, now: number): EnrollmentTokenRecord => {
  const times = {
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
    ...(optional(r.used_at) !== undefined ? { usedAt: r.used_at as number } : {}),
    ...(optional(r.revoked_at) !== undefined ? { revokedAt: r.revoked_at as number } : {}),
  };
  return {
    id: r.id as string,
    name: r.name as string,
    ...times,
    ...(typeof r.participant_id === 'string' ? { participantId: r.participant_id } : {}),
    status: tokenStatus(times, now),
  };
};

/** Enrolment tokens and participants in one SQLite database (the coordinator's store delegates to it). */
export class SqliteEnrolment {
  constructor(private readonly db: Database.Database) {}

  addToken(tokenHash: string, name: string, options: { expiresAt?: number; now?: number } = {}) {
    const now = options.now ?? Date.now();
    const id = randomId('tok-');
    const expiresAt = options.expiresAt ?? now + DEFAULT_TOKEN_LIFETIME_MS;
    this.db
      .prepare('INSERT INTO enrollment_tokens (token_hash, id, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(tokenHash, id, name, now, expiresAt);
    return this.token(id, now)!;
  }

  private token(id: string, now: number): EnrollmentTokenRecord | undefined {
    const r = this.db.prepare('SELECT * FROM enrollment_tokens WHERE id = ?').get(id) as Row | undefined;
    return r && tokenFromRow(r, now);
  }

  listTokens(now = Date.now()): EnrollmentTokenRecord[] {
    return (this.db.prepare('SELECT * FROM enrollment_tokens ORDER BY created_at, id').all() as Row[]).map((r) =>
      tokenFromRow(r, now),
    );
  }

  revokeToken(id: string, now = Date.now()): EnrollmentTokenRecord {
    return this.db.transaction((): EnrollmentTokenRecord => {
      const t = this.token(id, now);
      if (!t) throw unknownTokenId(id);
      if (t.status === 'used') throw tokenAlreadyUsed(id, t.participantId);
      if (t.status === 'revoked') return t;
      this.db.prepare('UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ?').run(now, id);
      return this.token(id, now)!;
    })();
  }

  redeem(tokenHash: string, p: NewParticipant, now = Date.now()): RedeemResult {
    return this.db.transaction((): RedeemResult => {
      const row = this.db.prepare('SELECT * FROM enrollment_tokens WHERE token_hash = ?').get(tokenHash) as
        | Row
        | undefined;
      if (!row) return { ok: false, reason: UNKNOWN_TOKEN_REASON };
      const token = tokenFromRow(row, now);
      const refusal = redeemRefusal(token, p.name, now);
      if (refusal) return { ok: false, reason: refusal };
      const clash = this.db.prepare('SELECT id FROM participants WHERE public_key = ?').get(Buffer.from(p.publicKey)) as
        | Row
        | undefined;
      if (clash) return { ok: false, reason: participantKeyClash(clash.id as string) };
      this.db
        .prepare('UPDATE enrollment_tokens SET used_at = ?, participant_id = ? WHERE token_hash = ?')
        .run(now, p.id, tokenHash);
      this.db
        .prepare('INSERT INTO participants (id, name, public_key, enrolled_at) VALUES (?, ?, ?, ?)')
        .run(p.id, token.name, Buffer.from(p.publicKey), p.enrolledAt);
      return { ok: true, participant: this.participant(p.id)! };
    })();
  }

  participant(id: string): ParticipantRecord | undefined {
    const r = this.db.prepare('SELECT * FROM participants WHERE id = ?').get(id) as Row | undefined;
    return r && participantFromRow(r);
  }

  participants(): ParticipantRecord[] {
    return (this.db.prepare('SELECT * FROM participants ORDER BY enrolled_at, id').all() as Row[]).map(
      participantFromRow,
    );
  }

  inactive(): ParticipantRecord[] {
    return (
      this.db.prepare("SELECT * FROM participants WHERE status != 'active' ORDER BY enrolled_at, id").all() as Row[]
    ).map(participantFromRow);
  }

  setStatus(id: string, status: ParticipantStatus, now = Date.now()): ParticipantRecord {
    return this.db.transaction((): ParticipantRecord => {
      const p = this.participant(id);
      if (!p) throw unknownParticipant(id);
      if (p.status === status) return p;
      if (p.status === 'revoked') throw participantRevoked(id, p.name);
      this.db.prepare('UPDATE participants SET status = ?, status_changed_at = ? WHERE id = ?').run(status, now, id);
      return this.participant(id)!;
    })();
  }

  markSeen(ids: readonly string[], at: number): void {
    if (ids.length === 0) return;
    const update = this.db.prepare(
      'UPDATE participants SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?',
    );
    this.db.transaction(() => {
      for (const id of ids) update.run(at, id);
    })();
  }
}
