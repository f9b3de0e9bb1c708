import { describe, expectTypeOf, it } from 'vitest';
import type { DatasetSource, InitOptions } from '@tessera/participant';

type Source = InitOptions['datasets'][string];

/**
 * Checked by `npm run typecheck` (tsconfig.test.json): InitOptions once used Omit<DatasetSource, 'exclude'>
 * on the union, which kept only the keys common to CSV and SQLite and so refused SQLite's `table`.
 * sources.test.ts initialises a SQLite participant through this type at run time.
 */
describe('initParticipant options: every kind of data source, exclude optional', () => {
  it('takes a SQLite source with its table and refuses one without', () => {
    // an excess property under the old type
    const sqlite: Source = { type: 'sqlite', path: 'shop.db', table: 'customers' };
    expectTypeOf(sqlite).toExtend<Source>();
    expectTypeOf({ type: 'sqlite' as const, path: 'shop.db' }).not.toExtend<Source>();
    expectTypeOf({ type: 'csv' as const, path: 'a.csv' }).toExtend<Source>();
    expectTypeOf({ type: 'csv' as const, path: 'a.csv', exclude: ['email'] }).toExtend<Source>();
    // With exclude filled in, each kind is a DatasetSource again.
    expectTypeOf<Source & { exclude: string[] }>().toExtend<DatasetSource>();
  });
});
