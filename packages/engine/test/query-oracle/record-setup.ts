// Records every query the analytics and participant query tests evaluate (see README.md): loaded by
// record.config.ts only, never by the ordinary test run.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import type { QueryPlan } from '../../../analytics/src/index.js';
import type { RawTable } from '../../../data/src/index.js';
import { toCsv } from '../../../data/src/index.js';

const OUT = process.env.TESSERA_ORACLE_OUT ?? join(import.meta.dirname, 'cases');
const origin = (): string => {
  try {
    return expect.getState().testPath ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

function save(csv: string, plan: QueryPlan, how: string): void {
  mkdirSync(OUT, { recursive: true });
  const data = createHash('sha256').update(csv).digest('hex').slice(0, 16);
  const dataFile = join(OUT, `${data}.csv`);
  if (!existsSync(dataFile)) writeFileSync(dataFile, csv);
  const planJson = JSON.stringify({ ...plan, scale: Array.from(plan.scale) });
  const id = createHash('sha256').update(`${planJson}\n${data}`).digest('hex').slice(0, 16);
  const caseFile = join(OUT, `${id}.json`);
  if (existsSync(caseFile)) return;
  const test = String(origin()).replace(/^.*?\/work\/main\//, '');
  writeFileSync(caseFile, `${JSON.stringify({ test, how, data: `${data}.csv`, plan: JSON.parse(planJson) })}\n`);
}

function tableCsv(table: RawTable): string {
  const width = table.columns.length;
  const rows = table.rows.map((r) => (r.length >= width ? r : [...r, ...Array(width - r.length).fill('')]));
  return toCsv({ ...table, rows });
}

vi.mock('../../../analytics/src/evaluate.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../../analytics/src/evaluate.js')>();
  return {
    ...orig,
    evaluateLocally(plan: QueryPlan, table: RawTable) {
      const out = orig.evaluateLocally(plan, table);
      if (plan.unit.unit === 'record') save(tableCsv(table), plan, 'evaluateLocally');
      return out;
    },
  };
});

vi.mock('../../../analytics/src/customer-cap.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../../analytics/src/customer-cap.js')>();
  return {
    ...orig,
    capRowsPerUser(plan: QueryPlan, table: RawTable, rng: Parameters<typeof orig.capRowsPerUser>[2]) {
      const out = orig.capRowsPerUser(plan, table, rng);
      if (plan.unit.unit === 'customer') save(tableCsv(table), plan, 'capRowsPerUser');
      return out;
    },
  };
});

vi.mock('../../src/query/evaluate-query.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/query/evaluate-query.js')>();
  return {
    ...orig,
    async evaluateQuery(...args: Parameters<typeof orig.evaluateQuery>) {
      const [engine, dataset, plan] = args;
      const source = engine.describe(dataset).source;
      if (source.endsWith('.csv') && existsSync(source)) save(readFileSync(source, 'utf8'), plan, 'evaluateQuery');
      return orig.evaluateQuery(...args);
    },
  };
});
