import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '@tessera/data';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../src/index.js';
import { scratch } from './query-support.js';

// Review: the engines of one process share a DuckDB database, so a relation a failed register leaves behind stays in
// it (holding a file open, or a copied table's memory) until the last engine closes. A failed register leaves none.

describe('a failed register leaves no relation behind', () => {
  const dir = scratch();
  afterAll(() => dir.cleanup());

  async function relations(engine: LocalEngine): Promise<string[]> {
    const r = await engine.connection.runAndReadAll(
      "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'dataset\\_%' ESCAPE '\\'",
    );
    // Other test files' engines may share this process's database: count only this test's relations.
    return r
      .getRows()
      .map((row) => String(row[0]))
      .filter((name) => /_(broken|policy|good)$/.test(name));
  }

  it('a CSV whose count fails (a broken line), or that lacks a policy column', async () => {
    const broken = join(dir.dir, 'broken.csv');
    writeFileSync(broken, 'a,b\n1,2\n3,4,5\n');
    const good = join(dir.dir, 'good.csv');
    writeFileSync(good, 'a,b\n1,2\n');
    const engine = await LocalEngine.open();
    try {
      await expect(engine.register('broken', { type: 'csv', path: broken })).rejects.toThrow(DataError);
      await expect(engine.register('policy', { type: 'csv', path: good }, ['a', 'missing'])).rejects.toThrow(
        /consent policy lists this column/,
      );
      expect(await relations(engine)).toEqual([]);
      await engine.register('good', { type: 'csv', path: good });
      expect(await relations(engine)).toHaveLength(1);
    } finally {
      await engine.close();
    }
  });
});
