import { describe, expect, it } from 'vitest';
import { LocalEngine, redactedUrl, sourceLabel } from '../src/index.js';

// Review: pg reads a password from the url's query (postgres://user@host/db?password=...), as libpq does; the source
// label, which every message, log line and `data check` shows, must hide it as it hides the user-info password.

const SECRET = 'Tr0ub4dor-query';

describe('a password in the url query is never shown', () => {
  it('redactedUrl hides password and sslpassword query parameters', () => {
    const url = `postgres://shop@db.example:5432/orders?password=${SECRET}&sslpassword=${SECRET}2&sslmode=require`;
    const shown = redactedUrl(url);
    expect(shown).not.toContain(SECRET);
    expect(shown).toContain('sslmode=require');
    expect(shown).toContain('db.example:5432/orders');
    expect(sourceLabel({ type: 'postgres', url, table: 'orders' })).not.toContain(SECRET);
  });

  it('a failed connection names the source without the query password', async () => {
    const engine = await LocalEngine.open();
    try {
      // Port 1 on the loopback: nothing listens there, so the connection is refused.
      const url = `postgres://shop@127.0.0.1:1/orders?password=${SECRET}`;
      const err = await engine.register('o', { type: 'postgres', url, table: 'orders' }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      const text = `${(err as Error).message}\n${(err as Error).stack}\n${JSON.stringify(err)}`;
      expect(text).toContain('127.0.0.1:1');
      expect(text).not.toContain(SECRET);
    } finally {
      await engine.close();
    }
  });
});
