/** The SQLite side of analyst identities: invitations (stored as hashes), registered keys and revocations. */
import type Database from 'better-sqlite3';
import { analystStatus, invitationRefusal } from '../analysts/analyst-rules.js';
import { optional, type Row } from './sqlite-rows.js';
import {
  analystKeyClash,
  refuseAnalystKeyTaken,
  refuseAnalystNameTaken,
  UNKNOWN_INVITATION_REASON,
  unknownAnalyst,
} from './store-refusals.js';
import type { AnalystJoinResult, AnalystRecord } from './store.js';

/** An analysts row as a record, its status derived at `now` (shared with the PostgreSQL store). */
export const analystFromRow = (r: Row, now: number): AnalystRecord => {
  const fields = {
    name: r.name as string,
    ...(r.public_key ? { publicKey: new Uint8Array(r.public_key as Buffer) } : {}),
    createdAt: r.created_at as number,
    ...(optional(r.invitation_expires_at) !== undefined
      ? { invitationExpiresAt: r.invitation_expires_at as number }
      : {}),
    ...(optional(r.joined_at) !== undefined ? { joinedAt: r.joined_at as number } : {}),
    ...(optional(r.revoked_at) !== undefined ? { revokedAt: r.revoked_at as number } : {}),
  };
  return { ...fields, status: analystStatus(fields, now) };
};

/** Analysts in one SQLite database (the coordinator's store delegates to it). */
export class SqliteAnalysts {
  constructor(private readonly db: Database.Database) {}

  get(name: string, now = Date.now()): AnalystRecord | undefined {
    const r = this.db.prepare('SELECT * FROM analysts WHERE name = ?').get(name) as Row | undefined;
    return r && analystFromRow(r, now);
  }

  byKey(publicKey: Uint8Array, now = Date.now()): AnalystRecord | undefined {
    const r = this.db.prepare('SELECT * FROM analysts WHERE public_key = ?').get(Buffer.from(publicKey)) as
      | Row
      | undefined;
    return r && analystFromRow(r, now);
  }

  list(now = Date.now()): AnalystRecord[] {
    return (this.db.prepare('SELECT * FROM analysts ORDER BY created_at, name').all() as Row[]).map((r) =>
      analystFromRow(r, now),
    );
  }

  invite(name: string, secretHash: string, times: { now: number; expiresAt: number }): AnalystRecord {
    return this.db.transaction((): AnalystRecord => {
      const existing = this.get(name, times.now);
      if (existing) {
        refuseAnalystNameTaken(existing);
        this.db
          .prepare('UPDATE analysts SET invitation_hash = ?, invitation_expires_at = ? WHERE name = ?')
          .run(secretHash, times.expiresAt, name);
      } else {
        this.db
          .prepare(
            'INSERT INTO analysts (name, created_at, invitation_hash, invitation_expires_at) VALUES (?, ?, ?, ?)',
          )
          .run(name, times.now, secretHash, times.expiresAt);
      }
      return this.get(name, times.now)!;
    })();
  }

  register(name: string, publicKey: Uint8Array, now = Date.now()): AnalystRecord {
    return this.db.transaction((): AnalystRecord => {
      const existing = this.get(name, now);
      if (existing) refuseAnalystNameTaken(existing);
      refuseAnalystKeyTaken(this.byKey(publicKey, now), name);
      if (existing)
        this.db
          .prepare(
            'UPDATE analysts SET public_key = ?, joined_at = ?, invitation_hash = NULL, ' +
              'invitation_expires_at = NULL WHERE name = ?',
          )
          .run(Buffer.from(publicKey), now, name);
      else
        this.db
          .prepare('INSERT INTO analysts (name, public_key, created_at, joined_at) VALUES (?, ?, ?, ?)')
          .run(name, Buffer.from(publicKey), now, now);
      return this.get(name, now)!;
    })();
  }

  redeem(secretHash: string, publicKey: Uint8Array, now = Date.now()): AnalystJoinResult {
    return this.db.transaction((): AnalystJoinResult => {
      const row = this.db.prepare('SELECT * FROM analysts WHERE invitation_hash = ?').get(secretHash) as
        | Row
        | undefined;
      if (!row) return { ok: false, reason: UNKNOWN_INVITATION_REASON };
      const analyst = analystFromRow(row, now);
      const refusal = invitationRefusal(analyst);
      if (refusal) return { ok: false, reason: refusal };
      const clash = this.byKey(publicKey, now);
      if (clash) return { ok: false, reason: analystKeyClash(clash.name) };
      this.db
        .prepare(
          'UPDATE analysts SET public_key = ?, joined_at = ?, invitation_hash = NULL, ' +
            'invitation_expires_at = NULL WHERE name = ?',
        )
        .run(Buffer.from(publicKey), now, analyst.name);
      return { ok: true, analyst: this.get(analyst.name, now)! };
    })();
  }

  revoke(name: string, now = Date.now()): AnalystRecord {
    return this.db.transaction((): AnalystRecord => {
      const a = this.get(name, now);
      if (!a) throw unknownAnalyst(name);
      if (a.status === 'revoked') return a;
      this.db.prepare('UPDATE analysts SET revoked_at = ?, invitation_hash = NULL WHERE name = ?').run(now, name);
      return this.get(name, now)!;
    })();
  }
}
