/** The PostgreSQL side of console login links: added by the CLI or a console, taken once by any replica's console. */
import type pg from 'pg';
import { loginOf, type ConsoleLogin, type ConsoleRole } from '../console-logins.js';

interface Row {
  role: ConsoleRole;
  analyst_id: string | null;
  expires_at: string | number;
}

export class PostgresConsoleLogins {
  constructor(private readonly pool: pg.Pool) {}

  async add(tokenHash: string, login: ConsoleLogin, now = Date.now()): Promise<void> {
    await this.pool.query('DELETE FROM console_logins WHERE expires_at < $1', [now]);
    await this.pool.query(
      'INSERT INTO console_logins (token_hash, role, analyst_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [tokenHash, login.role, login.analystId ?? null, now, login.expiresAt],
    );
  }

  async take(tokenHash: string, now = Date.now()): Promise<ConsoleLogin | undefined> {
    const r = await this.pool.query<Row>(
      `UPDATE console_logins SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
      RETURNING role, analyst_id, expires_at`,
      [now, tokenHash],
    );
    const row = r.rows[0];
    return row && loginOf(row);
  }
}
