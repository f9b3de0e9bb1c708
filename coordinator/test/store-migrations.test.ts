import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/store/migrations.js';
import { PG_MIGRATIONS } from '../src/store/postgres/postgres-migrations.js';

describe('the two stores migrations', () => {
  it('have the same versions and names, in order, in SQLite and PostgreSQL', () => {
    const outline = (list: readonly { version: number; name: string }[]) =>
      list.map(({ version, name }) => ({ version, name }));
    expect(outline(PG_MIGRATIONS)).toEqual(outline(MIGRATIONS));
    expect(PG_MIGRATIONS.map((m) => m.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
  });
});
