/** The SQLite side of console login links: added by the CLI or the console, taken once by the console. */
import type Database from 'better-sqlite3';
import { loginOf, type ConsoleLogin, type ConsoleRole } from './console-logins.js';

interface Row {
  role: ConsoleRole;
  analyst_id: string | null;
  expires_at: number;
}

export class SqliteConsoleLogins {
  constructor(private readonly db: Database.Database) {}

  add(tokenHash: string, login: ConsoleLogin, now = Date.now()): void {
    // Links never used are forgotten once expired, so the table stays small.
    this.db.prepare('DELETE FROM console_logins WHERE expires_at < ?').run(now);
    this.db
      .prepare(
        'INSERT INTO console_logins (token_hash, role, analyst_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(tokenHash, login.role, login.analystId ?? null, now, login.expiresAt);
  }

  take(tokenHash: string, now = Date.now()): ConsoleLogin | undefined {
    const row = this.db
      .prepare(
        `UPDATE console_logins SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
        RETURNING role, analyst_id, expires_at`,
      )
      .get(now, tokenHash, now) as Row | undefined;
    return row && loginOf(row);
  }
}
