import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuery, planQuery } from '@tessera/analytics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, LocalEngine, summariseColumns } from '../src/index.js';
import { fixedRandom, scratch } from './query-support.js';

// Review: DuckDB ends a connection's open streamed result when that connection runs another statement, and the
// node API then reports the end of the result rather than an error. A node runs tasks concurrently (a new task while
// a cancelled one still computes, an overlap session beside a training round), so a streamed read must survive other
// work on the same engine: before the fix, a query run while a training stream was paused cut the stream to its
// first chunk, silently.

const ROWS = 100_000;

describe('streams on one engine survive other work on it', () => {
  const dir = scratch();
  let engine: LocalEngine;
  beforeAll(async () => {
    const path = join(dir.dir, 'a.csv');
    const lines = ['id,v'];
    for (let i = 0; i < ROWS; i++) lines.push(`${i},${i % 7}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    engine = await LocalEngine.open();
    await engine.register('a', { type: 'csv', path });
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  /** Reads every batch of data set a, running `between` after the first; returns the rows seen. */
  async function streamAround(between: () => Promise<unknown>): Promise<number> {
    let rows = 0;
    let first = true;
    for await (const batch of engine.batches('a', ['id'], 4096)) {
      expect(batch.first).toBe(rows);
      rows += batch.rows.length;
      if (first) {
        first = false;
        await between();
      }
    }
    return rows;
  }

  it('a query while a batch stream is paused: both complete', async () => {
    const plan = planQuery(parseQuery('SELECT COUNT(*), SUM(v) FROM a'), { bounds: { v: [0, 10] }, domains: {} });
    let vector: Float64Array | undefined;
    const rows = await streamAround(async () => {
      vector = (await evaluateQuery(engine, 'a', plan, fixedRandom())).vector;
    });
    expect(rows).toBe(ROWS);
    expect(vector?.[0]).toBe(ROWS);
  });

  it('a batch stream while another is paused: both complete', async () => {
    let inner = 0;
    const rows = await streamAround(async () => {
      for await (const batch of engine.batches('a', ['v'], 10_000)) inner += batch.rows.length;
    });
    expect(rows).toBe(ROWS);
    expect(inner).toBe(ROWS);
  });

  it('a query while another query streams its result: both complete', async () => {
    const plan = planQuery(parseQuery('SELECT COUNT(*) FROM a'), { bounds: {}, domains: {} });
    const [a, b] = await Promise.all([
      evaluateQuery(engine, 'a', plan, fixedRandom()),
      streamAround(() => summariseColumns(engine, 'a')),
    ]);
    expect(a.vector[0]).toBe(ROWS);
    expect(b).toBe(ROWS);
  });
});
