import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { QueryPlan } from '@tessera/analytics';
import { readCsvFile } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateQuery, LocalEngine } from '../src/index.js';
import { difference, fixedRandom, oracle, scratch } from './query-support.js';

/**
 * Every query the analytics tests (packages/analytics/test) and the participant's query tests (participant/test/
 * query*.test.ts) evaluate, with its data, as recorded by query-oracle/record-setup.ts (see query-oracle/README.md):
 * the engine's vector equals the JavaScript path's (evaluateLocally after capRowsPerUser, with the same key) on the
 * same CSV file, read by each path's own reader.
 */
interface RecordedCase {
  test: string;
  how: string;
  data: string;
  plan: Omit<QueryPlan, 'scale'>;
}
const { cases, data } = JSON.parse(
  gunzipSync(readFileSync(new URL('./query-oracle/cases.json.gz', import.meta.url))).toString('utf8'),
) as { cases: RecordedCase[]; data: Record<string, string> };

describe('the engine equals the JavaScript path on every query of the analytics and participant query tests', () => {
  const dir = scratch();
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await LocalEngine.open();
    for (const [file, csv] of Object.entries(data)) {
      const path = join(dir.dir, file);
      writeFileSync(path, csv);
      await engine.register(file, { type: 'csv', path });
    }
  });
  afterAll(async () => {
    await engine.close();
    dir.cleanup();
  });

  it('holds the recorded cases of every test file', () => {
    const files = new Set(cases.map((c) => c.test));
    for (const f of [
      'customer-unit',
      'min-group',
      'noise',
      'plan',
      'pooled',
      'sections',
      'query-customer',
      'query-guard',
      'query-guard-e2e',
    ]) {
      expect([...files].some((x) => x.endsWith(`/${f}.test.ts`))).toBe(true);
    }
    expect(cases.length).toBeGreaterThan(150);
  });

  let sampled = 0;
  it.each(
    cases.map((c, i) => [`${i} ${c.test.split('/').pop()} ${c.plan.query.sql} (${c.plan.unit.unit})`, c] as const),
  )('%s', async (_, c) => {
    const plan: QueryPlan = { ...c.plan, scale: new Float64Array(c.plan.length) };
    const table = readCsvFile(join(dir.dir, c.data));
    const js = oracle(plan, table, fixedRandom());
    const out = await evaluateQuery(engine, c.data, plan, fixedRandom());
    expect(difference(plan, out.vector, js.vector)).toBeUndefined();
    expect(out.rows).toBe(table.rows.length);
    expect(out.contributing).toBe(
      js.capped.table.rows.length - uncounted(plan, js.vector, js.capped.table.rows.length),
    );
    expect(out.cappedCustomers).toBe(js.capped.cappedCustomers);
    expect(out.unkeyedRows).toBe(js.capped.unkeyedRows);
    if (out.cappedCustomers > 0) sampled++;
  });

  it('sampled over-cap customers in some of the cases (the cap was exercised, not only passed through)', () => {
    expect(sampled).toBeGreaterThan(10);
  });
});

/** Kept rows that contribute nothing (capRowsPerUser keeps only contributing rows; unit record keeps every row). */
function uncounted(plan: QueryPlan, vector: Float64Array, kept: number): number {
  const width = plan.groups.slots.length;
  let rows = 0;
  for (let g = 0; g < plan.groups.count; g++) rows += vector[g * width]!;
  return kept - rows;
}
