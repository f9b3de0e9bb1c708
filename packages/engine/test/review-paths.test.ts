import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine, quoteLiteral } from '../src/index.js';
import { scratch } from './query-support.js';

// Review: DuckDB reads *, ? and [...] in a file path as wildcards. A merchant's file named orders[1].csv was served
// from orders1.csv, and export*.csv from every export file in the folder, silently. The configured file is read.

describe('a configured path is the file itself, never a pattern', () => {
  const dir = scratch();
  let engine: LocalEngine;
  const at = (name: string) => join(dir.dir, name);
  beforeAll(async () => {
    engine = await LocalEngine.open();
    for (const [name, value] of [
      ['o[1].csv', 'mine'],
      ['o1.csv', 'other'],
      ['s*.csv', 'mine'],
      ['sX.csv', 'other'],
      ['q?.csv', 'mine'],
      ['qZ.csv', 'other'],
    ]) {
      writeFileSync(at(name!), `v\n${value}\n`);
    }
    for (const [name, value] of [
      ['p[1].parquet', 'mine'],
      ['p1.parquet', 'other'],
    ]) {
      await engine.connection.run(`COPY (SELECT '${value}' AS v) TO ${quoteLiteral(at(name!))} (FORMAT parquet)`);
    }
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  async function values(name: string): Promise<string[]> {
    const out: string[] = [];
    for await (const batch of engine.batches(name)) for (const r of batch.rows) out.push(r[0]!);
    return out;
  }

  it.each(['o[1].csv', 's*.csv', 'q?.csv'])('CSV %s', async (file) => {
    const d = await engine.register(file, { type: 'csv', path: at(file) });
    expect(d.rows).toBe(1);
    expect(await values(file)).toEqual(['mine']);
  });

  it('Parquet p[1].parquet', async () => {
    await engine.register('p', { type: 'parquet', path: at('p[1].parquet') });
    expect(await values('p')).toEqual(['mine']);
  });
});
